//! QR codes of the public tip form's address for posters and publicity: as SVG for the
//! page and print, and as PNG for chat groups (a small PNG writer of our own: 8-bit
//! grey, zlib with stored blocks).

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

/// The code of `text` (error correction M), or `None` when it is too long to encode.
fn code(text: &str) -> Option<QrCode> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()
}

/// An SVG of `text`'s QR code, `size` pixels at least.
pub fn svg(text: &str, size: u32) -> Option<String> {
    Some(
        code(text)?
            .render::<svg::Color>()
            .min_dimensions(size, size)
            .quiet_zone(true)
            .build(),
    )
}

/// A PNG of `text`'s QR code, each module `scale` pixels, with a four-module margin.
pub fn png(text: &str, scale: usize) -> Option<Vec<u8>> {
    let code = code(text)?;
    let n = code.width();
    let colors = code.to_colors();
    let scale = scale.clamp(1, 32);
    let side = (n + 8) * scale;
    let mut raw = Vec::with_capacity(side * (side + 1));
    for y in 0..side {
        raw.push(0); // filter: none
        for x in 0..side {
            let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
            let dark = mx < n && my < n && colors[my * n + mx] == Color::Dark;
            raw.push(if dark { 0 } else { 255 });
        }
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend((side as u32).to_be_bytes());
    ihdr.extend((side as u32).to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit greyscale
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    Some(out)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32(&out[start..]);
    out.extend(crc.to_be_bytes());
}

/// zlib with stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*b);
    }
    if blocks.is_empty() {
        out.extend([1, 0, 0, 0xff, 0xff]);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for x in data {
        a = (a + u32::from(*x)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for x in data {
        c ^= u32::from(*x);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_and_png_of_the_form_address() {
        let url = "https://anjian.example.gov.cn/tip";
        let s = svg(url, 200).unwrap();
        assert!(s.contains("<svg") && s.contains("</svg>"));
        let p = png(url, 4).unwrap();
        assert!(p.starts_with(b"\x89PNG\r\n\x1a\n") && p.ends_with(&[0xae, 0x42, 0x60, 0x82]));
        // The IEND chunk's CRC is the well-known one: our CRC agrees with PNG's.
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }
}
