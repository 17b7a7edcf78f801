//! `minutes.docx` for the Secretariat, who work in Word: the rendered minutes (Markdown) turned
//! into Word paragraphs with real heading styles, bulleted and numbered lists, emphasis and
//! links, so the template that makes `minutes.md` makes the Word file too. The Markdown goes
//! through the pages' filter first (raw HTML as text, links only to allowed targets), and
//! text never carries a character XML 1.0 forbids.

use std::borrow::Cow;

use docx_rs::{
    AbstractNumbering, Docx, Hyperlink, HyperlinkData, HyperlinkType, IndentLevel, Level, LevelJc, LevelOverride,
    LevelText, LineSpacing, NumberFormat, Numbering, NumberingId, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType, Start, Style, StyleType, Table, TableCell, TableRow, WidthType,
};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};

use super::charts::xml_allowed;
use super::html;

// docx-rs defines numbering 1 itself. Each numbered list gets its own numbering (from
// FIRST_LIST on) so that it starts again at 1.
const BULLET: usize = 2;
const NUMBERED: usize = 3;
const FIRST_LIST: usize = 10;

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .bold()
            .size(size)
            .color("1F3864")
            .outline_lvl(level)
            .line_spacing(LineSpacing::new().before(90).after(20))
    };
    let list =
        |id: usize, format: &str, text: &str| {
            AbstractNumbering::new(id).add_level(
                Level::new(0, Start::new(1), NumberFormat::new(format), LevelText::new(text), LevelJc::new("left"))
                    .indent(Some(400), Some(SpecialIndentType::Hanging(260)), None, None),
            )
        };
    docx.default_fonts(RunFonts::new().ascii("Calibri").hi_ansi("Calibri").cs("Calibri"))
        // 9.5 pt on narrow margins: minutes a Secretariat circulates fit on a page or two.
        .default_size(19)
        .default_line_spacing(LineSpacing::new().after(20))
        .page_margin(
            PageMargin::new().top(850).bottom(850).left(MARGIN as i32).right(MARGIN as i32).header(450).footer(450),
        )
        .add_style(heading("Title", "Title", 25, 0))
        .add_style(heading("Heading1", "heading 1", 22, 0))
        .add_style(heading("Heading2", "heading 2", 21, 1))
        .add_style(heading("Heading3", "heading 3", 20, 2))
        .add_abstract_numbering(list(BULLET, "bullet", "•"))
        .add_numbering(Numbering::new(BULLET, BULLET))
        .add_abstract_numbering(list(NUMBERED, "decimal", "%1."))
}

/// What a run of text looks like where it is.
#[derive(Default)]
struct Format {
    bold: usize,
    italic: usize,
    link: Option<String>,
}

/// The Word document for Markdown `text`.
pub fn from_markdown(text: &str) -> Vec<u8> {
    let mut docx = styles(Docx::new());
    let mut para: Option<Paragraph> = None;
    let mut lists: Vec<usize> = Vec::new();
    let mut next_list = FIRST_LIST;
    let mut f = Format::default();
    let mut link_runs: Vec<Run> = Vec::new();
    let mut links = 0;
    let mut first_heading = true;
    // A table's rows of cells (paragraph, characters), made into a Word table at its end, when
    // its column widths are known.
    let (mut rows, mut cells): (Vec<Vec<Cell>>, Vec<Cell>) = (Vec::new(), Vec::new());
    let mut cell_chars = 0;
    let start = |style: Option<&str>, lists: &[usize]| {
        let mut p = Paragraph::new();
        if let Some(s) = style {
            p = p.style(s);
        } else if let Some(&kind) = lists.last() {
            p = p.numbering(NumberingId::new(kind), IndentLevel::new(0));
        }
        p
    };
    for event in html::safe(Parser::new_ext(text, pulldown_cmark::Options::ENABLE_TABLES)).map(xml_safe) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let style = match level {
                    HeadingLevel::H1 if first_heading => "Title",
                    HeadingLevel::H1 => "Heading1",
                    HeadingLevel::H2 => "Heading1",
                    HeadingLevel::H3 => "Heading2",
                    _ => "Heading3",
                };
                first_heading = false;
                para = Some(start(Some(style), &[]));
            }
            // A list item's first paragraph is the item itself.
            Event::Start(Tag::Paragraph) if para.is_none() => para = Some(start(None, &[])),
            Event::Start(Tag::Item) => para = Some(start(None, &lists)),
            Event::Start(Tag::List(first)) => {
                if let Some(p) = para.take() {
                    docx = docx.add_paragraph(p);
                }
                if first.is_some() {
                    let restart = LevelOverride::new(0).start(1);
                    docx = docx.add_numbering(Numbering::new(next_list, NUMBERED).add_override(restart));
                    lists.push(next_list);
                    next_list += 1;
                } else {
                    lists.push(BULLET);
                }
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::End(TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::Item) => {
                if let Some(p) = para.take() {
                    docx = docx.add_paragraph(p);
                }
            }
            Event::Start(Tag::TableHead) => f.bold += 1,
            Event::End(TagEnd::TableHead) => {
                f.bold -= 1;
                rows.push(std::mem::take(&mut cells));
            }
            Event::End(TagEnd::TableRow) => rows.push(std::mem::take(&mut cells)),
            Event::Start(Tag::TableCell) => {
                para = Some(Paragraph::new());
                cell_chars = 0;
            }
            Event::End(TagEnd::TableCell) => cells.push((para.take().unwrap_or_default(), cell_chars)),
            Event::End(TagEnd::Table) => docx = docx.add_table(table(std::mem::take(&mut rows))),
            Event::Start(Tag::Strong) => f.bold += 1,
            Event::End(TagEnd::Strong) => f.bold -= 1,
            Event::Start(Tag::Emphasis) => f.italic += 1,
            Event::End(TagEnd::Emphasis) => f.italic -= 1,
            // A picture (the SVG timeline) becomes a link to its file, named by its alt text.
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                f.link = Some(dest_url.to_string())
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(url) = f.link.take() {
                    let mut h = Hyperlink::new(url, HyperlinkType::External);
                    // docx-rs numbers links with a counter shared by the whole process, so a
                    // document would depend on those rendered before it: number them here.
                    links += 1;
                    if let HyperlinkData::External { rid, .. } = &mut h.link {
                        *rid = format!("rIdHyperlink{links}");
                    }
                    for r in link_runs.drain(..) {
                        h = h.add_run(r);
                    }
                    para = Some(para.take().unwrap_or_default().add_hyperlink(h));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                cell_chars += t.chars().count();
                let mut run = Run::new().add_text(t.as_ref());
                if f.bold > 0 {
                    run = run.bold();
                }
                if f.italic > 0 {
                    run = run.italic();
                }
                if f.link.is_some() {
                    link_runs.push(run.color("1155CC").underline("single"));
                } else {
                    para = Some(para.take().unwrap_or_default().add_run(run));
                }
            }
            Event::SoftBreak => para = Some(para.take().unwrap_or_default().add_run(Run::new().add_text(" "))),
            Event::HardBreak => {
                para = Some(
                    para.take().unwrap_or_default().add_run(Run::new().add_break(docx_rs::BreakType::TextWrapping)),
                )
            }
            Event::Rule => docx = docx.add_paragraph(Paragraph::new()),
            _ => {}
        }
    }
    if let Some(p) = para.take() {
        docx = docx.add_paragraph(p);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).expect("writing a zip to memory cannot fail");
    in_order(&out.into_inner())
}

/// A table cell's paragraph and how many characters it holds.
type Cell = (Paragraph, usize);

/// The left and right margins, in twentieths of a point (1.76 cm).
const MARGIN: usize = 1000;

/// The width of the text on a page (A4 less the margins), in twentieths of a point.
const TEXT_WIDTH: usize = 11_906 - 2 * MARGIN;

/// A Word table whose columns are as wide as their longest cells need, within limits: a
/// column of short values (times, shares) does not take the room a column of names needs.
fn table(rows: Vec<Vec<Cell>>) -> Table {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    // Wider for longer text, less than in proportion, so that short names stay on one line.
    let need: Vec<f64> = (0..columns)
        .map(|c| {
            let longest = rows.iter().filter_map(|r| r.get(c)).map(|(_, n)| *n).max().unwrap_or(0);
            (longest.clamp(4, 80) as f64).powf(0.7)
        })
        .collect();
    let total: f64 = need.iter().sum::<f64>().max(1.0);
    let grid: Vec<usize> = need.iter().map(|n| (TEXT_WIDTH as f64 * n / total) as usize).collect();
    let rows = rows
        .into_iter()
        .map(|r| {
            let cells = (r.into_iter().enumerate())
                .map(|(c, (p, _))| TableCell::new().width(grid[c], WidthType::Dxa).add_paragraph(p))
                .collect();
            TableRow::new(cells)
        })
        .collect();
    Table::new(rows).set_grid(grid)
}

/// `event` with the characters XML 1.0 forbids (controls but tab and line breaks, U+FFFE,
/// U+FFFF) taken out of its text and link target: Word refuses a file holding one. This is
/// where all text enters the document.
fn xml_safe(event: Event<'_>) -> Event<'_> {
    fn clean(s: CowStr<'_>) -> CowStr<'_> {
        match xml_text(&s) {
            Cow::Borrowed(_) => s,
            Cow::Owned(o) => CowStr::from(o),
        }
    }
    match event {
        Event::Text(t) => Event::Text(clean(t)),
        Event::Code(t) => Event::Code(clean(t)),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: clean(dest_url), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: clean(dest_url), title, id })
        }
        other => other,
    }
}

/// `s` without the characters XML 1.0 does not allow.
fn xml_text(s: &str) -> Cow<'_, str> {
    if s.chars().all(xml_allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| xml_allowed(c)).collect())
    }
}

/// docx-rs lists a document's relationships in hash order, which changes from process to
/// process; sorted by id, the same document is the same bytes every time.
fn in_order(docx: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    const RELS: &str = "word/_rels/document.xml.rels";
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("docx-rs writes a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("an entry of the zip just written");
        let options = zip::write::SimpleFileOptions::default().compression_method(entry.compression());
        let name = entry.name().expect("docx-rs names its entries in UTF-8").to_string();
        if entry.is_dir() {
            out.add_directory(name, options).expect("in memory");
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("in memory");
        if name == RELS {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let start = text.find("<Relationship ").unwrap_or(text.len());
            let end = text.rfind("</Relationships>").unwrap_or(text.len()).max(start);
            let mut rels: Vec<&str> = text[start..end].split_inclusive("/>").collect();
            rels.sort_by_key(|r| {
                r.split("Id=\"").nth(1).and_then(|x| x.split('"').next()).map(|id| (id.len(), id.to_string()))
            });
            bytes = format!("{}{}{}", &text[..start], rels.concat(), &text[end..]).into_bytes();
        }
        out.start_file(name, options).expect("in memory");
        out.write_all(&bytes).expect("in memory");
    }
    out.finish().expect("in memory").into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_document_does_not_depend_on_those_made_before_it() {
        let md = "# Minutes\n\nSee [the recording](a.wav#t=1.0) and [again](a.wav#t=2.0).\n\n- one\n- two\n";
        assert!(from_markdown(md) == from_markdown(md), "same Markdown, same bytes, however many came before");
    }

    #[test]
    fn markdown_becomes_word_paragraphs() {
        let bytes = from_markdown(
            "# Minutes\n\n## Recommendations\n\n- **Jane** said [00:01:23](rec.wav#t=83.0): fees must go.\n- Second\n\nA closing *line*.\n\n| Voice | Talk |\n|---|---|\n| Jane | 45 s |\n",
        );
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut xml = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        assert!(xml.contains(r#"<w:pStyle w:val="Title" />"#) || xml.contains(r#"w:val="Title""#), "{xml}");
        assert!(xml.contains(r#"w:val="Heading1""#));
        assert!(xml.contains("fees must go.") && xml.contains("A closing ") && xml.contains("00:01:23"));
        assert_eq!(xml.matches("<w:numId").count(), 2, "two list items");
        assert_eq!(xml.matches("<w:tr>").count(), 2, "a table of two rows");
        assert!(xml.contains("45 s"));
        let mut rels = String::new();
        zip.by_name("word/_rels/document.xml.rels").unwrap().read_to_string(&mut rels).unwrap();
        assert!(rels.contains("rec.wav#t=83.0"), "{rels}");
    }

    #[test]
    fn forbidden_characters_and_unsafe_links_never_reach_the_xml() {
        let md = "# T\u{1}X\u{FFFE}\n\n- Bell\u{7}Name [ok](./a%20b.wav#t=1.0) [js](javascript:alert(1)) <b>raw</b> `c\u{0}ode` [&#1;y](<./x\u{b}.wav>)\n\n| A\u{1f} | B |\n|---|---|\n| \u{FFFF} | x |\n";
        let bytes = from_markdown(md);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut read = |name: &str| {
            let mut s = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        let (xml, rels) = (read("word/document.xml"), read("word/_rels/document.xml.rels"));
        for part in [&xml, &rels] {
            roxmltree::Document::parse(part).unwrap_or_else(|e| panic!("{e}: {part}"));
        }
        assert!(
            xml.contains("TX") && xml.contains("BellName") && xml.contains("&lt;b&gt;") && xml.contains("&lt;/b&gt;"),
            "{xml}"
        );
        assert!(
            rels.contains("./a%20b.wav#t=1.0") && rels.contains("\"./x.wav\"") && !rels.contains("javascript"),
            "{rels}"
        );
        assert_eq!(rels.matches("hyperlink").count(), 2, "{rels}");
    }
}
