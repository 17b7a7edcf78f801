//! The documents made from templates: the minutes and summary as Markdown (their own
//! templates), as HTML pages (`page.html`) and the minutes in Word, and the review page
//! (`review.html`) with its timeline chart. What several of them need is made once, in
//! [`Rendering`].

use super::{Document, RenderError, Rendering, docx, html};

pub struct MinutesHtml;
pub struct SummaryHtml;
pub struct MinutesDocx;
pub struct ReviewHtml;
/// The review page's timeline chart as a file of its own, which the minutes show.
pub struct TimelineSvg;
pub struct MinutesMd;
pub struct SummaryMd;

/// `body` (Markdown rendered as HTML) set into the page template, titled `what: <title>`.
fn page(s: &Rendering, what: &str, body: &str) -> Result<Vec<u8>, RenderError> {
    let title = format!("{what}: {}", s.review.base.session.title);
    Ok(html::page(s.templates, &title, body)?.into_bytes())
}

impl Document for MinutesHtml {
    fn file_name(&self) -> &'static str {
        "minutes.html"
    }
    fn catalog_rank(&self) -> Option<u8> {
        Some(3)
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        page(s, "Minutes", &s.review.minutes_html)
    }
}

impl Document for SummaryHtml {
    fn file_name(&self) -> &'static str {
        "summary.html"
    }
    fn catalog_rank(&self) -> Option<u8> {
        Some(6)
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        page(s, "Thematic summary", &s.review.summary_html)
    }
}

impl Document for MinutesDocx {
    fn file_name(&self) -> &'static str {
        "minutes.docx"
    }
    fn catalog_rank(&self) -> Option<u8> {
        Some(4)
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(docx::from_markdown(&s.minutes))
    }
}

impl Document for ReviewHtml {
    fn file_name(&self) -> &'static str {
        "review.html"
    }
    /// The page a rapporteur works from: first in the catalog.
    fn catalog_rank(&self) -> Option<u8> {
        Some(1)
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(s.templates.render("review.html", &s.review)?.into_bytes())
    }
}

impl Document for TimelineSvg {
    fn file_name(&self) -> &'static str {
        "timeline.svg"
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(s.review.charts.timeline.clone().into_bytes())
    }
}

impl Document for MinutesMd {
    fn file_name(&self) -> &'static str {
        "minutes.md"
    }
    fn catalog_rank(&self) -> Option<u8> {
        Some(2)
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(s.minutes.clone().into_bytes())
    }
}

impl Document for SummaryMd {
    fn file_name(&self) -> &'static str {
        "summary.md"
    }
    fn catalog_rank(&self) -> Option<u8> {
        Some(5)
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(s.summary.clone().into_bytes())
    }
}
