//! Attachments to a work order (evidence, letters, recordings): what is accepted is decided by the
//! file's content, not by what the browser claims; the name's extension must agree with it.

use crate::FieldError;

/// The largest file accepted: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_NAME_CHARS: usize = 120;

/// A file type the bank accepts, with the extensions its name may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileType {
    pub content_type: &'static str,
    pub extensions: &'static [&'static str],
}

const PDF: FileType = FileType { content_type: "application/pdf", extensions: &["pdf"] };
const PNG: FileType = FileType { content_type: "image/png", extensions: &["png"] };
const JPEG: FileType = FileType { content_type: "image/jpeg", extensions: &["jpg", "jpeg"] };
const DOCX: FileType = FileType {
    content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extensions: &["docx"],
};
const XLSX: FileType = FileType {
    content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    extensions: &["xlsx"],
};
const MP3: FileType = FileType { content_type: "audio/mpeg", extensions: &["mp3"] };
const WAV: FileType = FileType { content_type: "audio/wav", extensions: &["wav"] };
const TEXT: FileType = FileType { content_type: "text/plain; charset=utf-8", extensions: &["txt"] };

/// The extensions accepted, for messages and the upload form.
pub const ACCEPTED: &str = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.mp3,.wav,.txt";

/// What the bytes are, judged by their signature.
fn sniff(bytes: &[u8], ext: &str) -> Option<FileType> {
    if bytes.starts_with(b"%PDF-") {
        Some(PDF)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PNG)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(JPEG)
    } else if bytes.starts_with(b"PK\x03\x04") {
        // Office documents are zip files; which one is told by the name.
        match ext {
            "docx" => Some(DOCX),
            "xlsx" => Some(XLSX),
            _ => None,
        }
    } else if bytes.starts_with(b"ID3") || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) {
        Some(MP3)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        Some(WAV)
    } else if std::str::from_utf8(bytes).is_ok_and(|s| !s.chars().any(|c| c.is_control() && !c.is_whitespace())) {
        Some(TEXT)
    } else {
        None
    }
}

/// Checks an upload: a usable name (its last path component, 1–120 characters, no control
/// characters), 1 byte to 10 MiB, and content of an accepted type matching the name's extension.
/// Returns the clean name and the content type to store.
pub fn check(name: &str, bytes: &[u8]) -> Result<(String, &'static str), FieldError> {
    let name = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(FieldError::because("file", "field.file_name").with("max", MAX_NAME_CHARS));
    }
    if bytes.is_empty() {
        return Err(FieldError::because("file", "field.file_empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldError::because("file", "field.file_too_large"));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match sniff(bytes, &ext) {
        Some(t) if t.extensions.contains(&ext.as_str()) => Ok((name.to_string(), t.content_type)),
        _ => Err(FieldError::because("file", "field.file_type").with("accepted", ACCEPTED)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accepts_known_types_whose_content_matches_the_name() {
        assert_eq!(check("回单.pdf", b"%PDF-1.7 ...").unwrap(), ("回单.pdf".into(), "application/pdf"));
        assert_eq!(check("C:\\Users\\me\\photo.JPG", &[0xFF, 0xD8, 0xFF, 0xE0]).unwrap().1, "image/jpeg");
        assert_eq!(check("C:\\Users\\me\\photo.JPG", &[0xFF, 0xD8, 0xFF]).unwrap().0, "photo.JPG");
        assert_eq!(check("录音.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ").unwrap().1, "audio/wav");
        assert_eq!(check("说明.txt", "客户来电记录\n".as_bytes()).unwrap().1, "text/plain; charset=utf-8");
        assert_eq!(check("a.xlsx", b"PK\x03\x04rest").unwrap().1, XLSX.content_type);
    }

    #[test]
    fn refuses_mismatches_unknown_types_empty_and_oversized_files() {
        for (name, bytes) in [
            ("invoice.pdf", b"MZ\x90\x00".as_slice()),
            ("run.exe", b"MZ\x90\x00".as_slice()),
            ("photo.png", b"%PDF-1.4".as_slice()),
            ("a.zip", b"PK\x03\x04".as_slice()),
            ("notes.txt", b"\x00\x01\x02".as_slice()),
            ("noext", b"%PDF-1.4".as_slice()),
            ("empty.pdf", b"".as_slice()),
            ("", b"%PDF-1.4".as_slice()),
            ("dir/", b"%PDF-1.4".as_slice()),
        ] {
            let e = check(name, bytes).unwrap_err();
            assert_eq!(e.field, "file", "{name}");
        }
        let big = vec![b'a'; MAX_BYTES + 1];
        assert_eq!(check("big.txt", &big).unwrap_err().reason, "field.file_too_large");
        assert!(check("ok.txt", &big[..MAX_BYTES]).is_ok());
    }
}
