//! Copies of uploaded photos without their metadata (EXIF with GPS position, camera
//! serials, comments) for those who handle a tip: JPEG keeps its image segments and
//! drops APP1–APP15 and comments; PNG keeps the chunks that draw the image. Other
//! files are returned as they are.

/// `bytes` without metadata; other kinds of file unchanged. A JPEG or PNG whose
/// structure cannot be followed gives an empty copy: what cannot be cleaned is not
/// shown to handlers (the original stays, for the custodian).
pub fn strip_metadata(bytes: &[u8]) -> Vec<u8> {
    if bytes.starts_with(&[0xff, 0xd8]) {
        jpeg(bytes).unwrap_or_default()
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes).unwrap_or_default()
    } else {
        bytes.to_vec()
    }
}

fn jpeg(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0xff, 0xd8];
    let mut i = 2;
    loop {
        if *b.get(i)? != 0xff {
            return None;
        }
        let marker = *b.get(i + 1)?;
        // Start of scan: the rest is image data up to the end.
        if marker == 0xda {
            out.extend_from_slice(&b[i..]);
            return Some(out);
        }
        let len = usize::from(u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]));
        let end = i + 2 + len;
        let segment = b.get(i..end)?;
        let metadata = (0xe1..=0xef).contains(&marker) || marker == 0xfe;
        if !metadata {
            out.extend_from_slice(segment);
        }
        i = end;
    }
}

fn png(b: &[u8]) -> Option<Vec<u8>> {
    const KEEP: [&[u8; 4]; 7] = [
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"sRGB",
    ];
    let mut out = b[..8].to_vec();
    let mut i = 8;
    while i < b.len() {
        let len = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let kind = b.get(i + 4..i + 8)?;
        let end = i.checked_add(12)?.checked_add(len)?;
        let chunk = b.get(i..end)?;
        if KEEP.iter().any(|k| k.as_slice() == kind) {
            out.extend_from_slice(chunk);
        }
        i = end;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exif_and_comments_leave_a_jpeg() {
        let mut j = vec![0xff, 0xd8];
        j.extend([0xff, 0xe0, 0, 4, b'J', b'F']); // APP0 (JFIF) stays
        j.extend([0xff, 0xe1, 0, 8, b'E', b'x', b'i', b'f', b'G', b'P']); // APP1 EXIF goes
        j.extend([0xff, 0xfe, 0, 4, b'h', b'i']); // comment goes
        j.extend([0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9]);
        let s = strip_metadata(&j);
        assert!(!s.windows(4).any(|w| w == b"Exif") && !s.windows(2).any(|w| w == b"hi"));
        assert!(s.windows(2).any(|w| w == b"JF") && s.ends_with(&[1, 2, 3, 0xff, 0xd9]));
    }

    #[test]
    fn text_chunks_leave_a_png() {
        let p = crate::qr::png("x", 1).unwrap();
        let mut with_text = p[..33].to_vec(); // signature + IHDR
        with_text.extend(0u32.to_be_bytes());
        with_text.extend(b"tEXt");
        with_text.extend([0, 0, 0, 0]);
        with_text.extend(&p[33..]);
        let s = strip_metadata(&with_text);
        assert_eq!(s, p);
    }

    #[test]
    fn what_cannot_be_followed_is_not_shown() {
        assert!(strip_metadata(&[0xff, 0xd8, 0xff, 0xe1, 0, 90, b'G', b'P', b'S']).is_empty());
        assert_eq!(strip_metadata(b"%PDF-1.4 x"), b"%PDF-1.4 x");
    }

    proptest! {
        #[test]
        fn never_panics(mut b in proptest::collection::vec(any::<u8>(), 0..200), jpeg: bool) {
            if jpeg { b.splice(0..0, [0xff, 0xd8]); } else { b.splice(0..0, *b"\x89PNG\r\n\x1a\n"); }
            let _ = strip_metadata(&b);
        }
    }
}
