//! Charts drawn on the server as SVG (no JavaScript, no library), readable on a phone:
//! horizontal bars of percentages, stacked horizontal bars, and lines over months. Bars
//! may link to the list behind them.

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a bar measures, out of 100: a percentage ("83%") or points ("83分").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Percent,
    Points,
}

impl Measure {
    fn suffix(self) -> &'static str {
        match self {
            Measure::Percent => "%",
            Measure::Points => "分",
        }
    }
}

/// Horizontal bars of percentages (see [`bars`]).
pub fn percent_bars(title: &str, lines: &[(String, i64)], warn_below: i64) -> String {
    bars(title, lines, warn_below, Measure::Percent)
}

/// Horizontal bars: each line's label, then a bar of its value out of 100 (clamped to
/// 0–100) with the value and its `measure`; `warn_below` colours the bars under it.
pub fn bars(title: &str, lines: &[(String, i64)], warn_below: i64, measure: Measure) -> String {
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
            "<text x=\"0\" y=\"{ty}\" font-size=\"12\">{l}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"14\" fill=\"#eee\"/><rect x=\"{label_w}\" y=\"{y}\" width=\"{fw}\" height=\"14\" fill=\"{colour}\"/><text x=\"{vx}\" y=\"{ty}\" font-size=\"12\">{p}{u}</text>",
            u = measure.suffix(),
            ty = y + 12,
            l = esc(&label),
            fw = p * bar_w / 100,
            vx = label_w + bar_w + 6,
        ));
    }
    out.push_str("</svg>");
    out
}

/// Stacked horizontal bars: each line's label and its parts (`series` names and colours
/// them, in order), scaled to the largest line's sum; each line links to its `href`.
pub fn stacked_bars(
    title: &str,
    series: &[(&str, &str)],
    lines: &[(String, String, Vec<i64>)],
) -> String {
    let (label_w, bar_w, row_h) = (120, 220, 22);
    let most = lines
        .iter()
        .map(|(_, _, v)| v.iter().map(|x| (*x).max(0)).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = 48 + lines.len() as i64 * row_h;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {height}\" width=\"100%\" role=\"img\" aria-label=\"{t}\" class=\"chart\"><text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{t}</text>",
        w = label_w + bar_w + 50,
        t = esc(title)
    );
    let mut x = 0;
    for (name, colour) in series {
        out.push_str(&format!(
            "<rect x=\"{x}\" y=\"24\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{tx}\" y=\"33\" font-size=\"11\">{n}</text>",
            tx = x + 14,
            n = esc(name)
        ));
        x += 20 + 12 * name.chars().count() as i64;
    }
    for (i, (label, href, values)) in lines.iter().enumerate() {
        let y = 44 + i as i64 * row_h;
        let label: String = label.chars().take(9).collect();
        out.push_str(&format!(
            "<a href=\"{h}\"><text x=\"0\" y=\"{ty}\" font-size=\"12\">{l}</text>",
            h = esc(href),
            ty = y + 12,
            l = esc(&label)
        ));
        let mut x = label_w;
        for (v, (_, colour)) in values.iter().zip(series) {
            let w = (*v).max(0) * bar_w / most;
            out.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"14\" fill=\"{colour}\"/>"
            ));
            x += w;
        }
        let sum: i64 = values.iter().map(|v| (*v).max(0)).sum();
        out.push_str(&format!(
            "<text x=\"{vx}\" y=\"{ty}\" font-size=\"12\">{sum}</text></a>",
            vx = x + 6,
            ty = y + 12
        ));
    }
    out.push_str("</svg>");
    out
}

/// Lines over labelled points (months): each series a named, coloured polyline with
/// its values marked, scaled to the largest value.
pub fn lines(title: &str, labels: &[String], series: &[(&str, &str, Vec<i64>)]) -> String {
    let (left, w, h, top) = (36, 300, 120, 40);
    let most = series
        .iter()
        .flat_map(|(_, _, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let n = labels.len().max(1) as i64;
    let step = if n > 1 { w / (n - 1) } else { 0 };
    let px = |i: usize| left + i as i64 * step;
    let py = |v: i64| top + h - v.clamp(0, most) * h / most;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {vw} {vh}\" width=\"100%\" role=\"img\" aria-label=\"{t}\" class=\"chart\"><text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{t}</text><line x1=\"{left}\" y1=\"{base}\" x2=\"{right}\" y2=\"{base}\" stroke=\"#999\"/><text x=\"0\" y=\"{mt}\" font-size=\"10\">{most}</text>",
        vw = left + w + 30,
        vh = top + h + 24,
        t = esc(title),
        base = top + h,
        right = left + w,
        mt = top + 4,
    );
    let mut x = left;
    for (name, colour, _) in series {
        out.push_str(&format!(
            "<rect x=\"{x}\" y=\"24\" width=\"10\" height=\"3\" fill=\"{colour}\"/><text x=\"{tx}\" y=\"30\" font-size=\"11\">{n}</text>",
            tx = x + 14,
            n = esc(name)
        ));
        x += 20 + 12 * name.chars().count() as i64;
    }
    for (i, l) in labels.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" font-size=\"10\" text-anchor=\"middle\">{l}</text>",
            x = px(i),
            y = top + h + 16,
            l = esc(l)
        ));
    }
    for (_, colour, values) in series {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", px(i), py(*v)))
            .collect();
        out.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        ));
        for (i, v) in values.iter().enumerate() {
            out.push_str(&format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{colour}\"><title>{v}</title></circle>",
                px(i),
                py(*v)
            ));
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_bars_scale_to_the_largest_line_and_link() {
        let svg = stacked_bars(
            "隐患",
            &[("已整改", "#2e7d32"), ("未整改", "#c62828")],
            &[
                (
                    "巴川街道".into(),
                    "/hazards?locality=1".into(),
                    vec![110, 110],
                ),
                ("安居镇".into(), "/hazards?locality=2".into(), vec![55, 0]),
            ],
        );
        assert!(svg.contains("href=\"/hazards?locality=1\""));
        assert!(
            svg.contains("width=\"110\" height=\"14\" fill=\"#2e7d32\""),
            "220 px is the largest sum"
        );
        assert!(svg.contains("width=\"55\" height=\"14\" fill=\"#2e7d32\""));
    }

    #[test]
    fn lines_place_points_by_value() {
        let svg = lines(
            "走势",
            &["5月".into(), "6月".into()],
            &[("发现", "#1565c0", vec![0, 10])],
        );
        assert!(svg.contains("points=\"36,160 336,40\""), "{svg}");
        assert!(svg.contains("<title>10</title>"));
    }

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
