//! What every PDF veche writes shares: DejaVu Sans, compiled in once for
//! Cyrillic (web/fonts/, with its licence), added to a new document.

use printpdf::{ParsedFont, PdfDocument, PdfFontHandle};

const REGULAR: &[u8] = include_bytes!("../../web/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../web/fonts/DejaVuSans-Bold.ttf");

/// The regular and the bold face, added to `doc`.
pub fn fonts(doc: &mut PdfDocument) -> anyhow::Result<(PdfFontHandle, PdfFontHandle)> {
    let mut warnings = Vec::new();
    let regular = ParsedFont::from_bytes(REGULAR, 0, &mut warnings)
        .ok_or_else(|| anyhow::anyhow!("the bundled font could not be read"))?;
    let bold = ParsedFont::from_bytes(BOLD, 0, &mut warnings)
        .ok_or_else(|| anyhow::anyhow!("the bundled font could not be read"))?;
    Ok((
        PdfFontHandle::External(doc.add_font(&regular)),
        PdfFontHandle::External(doc.add_font(&bold)),
    ))
}
