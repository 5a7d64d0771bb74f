//! Charts drawn on the server as SVG (no JavaScript, no library): horizontal bars of
//! percentages, one per labelled line, readable on a phone.

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars: each line's label, then a bar of `percent` (clamped to 0–100) with
/// its value; `warn_below` colours the bars under that percentage.
pub fn percent_bars(title: &str, lines: &[(String, i64)], warn_below: i64) -> String {
    let (label_w, bar_w, row_h) = (140, 200, 22);
    let height = 28 + lines.len() as i64 * row_h;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {height}\" width=\"100%\" role=\"img\" aria-label=\"{t}\" class=\"chart\"><text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{t}</text>",
        w = label_w + bar_w + 50,
        t = esc(title)
    );
    for (i, (label, pct)) in lines.iter().enumerate() {
        let p = (*pct).clamp(0, 100);
        let y = 28 + i as i64 * row_h;
        let label: String = label.chars().take(10).collect();
        let colour = if p < warn_below { "#c62828" } else { "#2e7d32" };
        out.push_str(&format!(
            "<text x=\"0\" y=\"{ty}\" font-size=\"12\">{l}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"14\" fill=\"#eee\"/><rect x=\"{label_w}\" y=\"{y}\" width=\"{fw}\" height=\"14\" fill=\"{colour}\"/><text x=\"{vx}\" y=\"{ty}\" font-size=\"12\">{p}%</text>",
            ty = y + 12,
            l = esc(&label),
            fw = p * bar_w / 100,
            vx = label_w + bar_w + 6,
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_escaped_and_clamped() {
        let svg = percent_bars(
            "整改率",
            &[("巴川<街道>".into(), 50), ("安居镇".into(), 140)],
            80,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("width=\"100\" height=\"14\" fill=\"#c62828\""),
            "50% of 200 px, below 80%: red"
        );
        assert!(
            svg.contains("width=\"200\" height=\"14\" fill=\"#2e7d32\""),
            "clamped to 100%"
        );
        assert!(svg.contains("巴川&lt;街道&gt;") && !svg.contains("<街道>"));
    }
}
