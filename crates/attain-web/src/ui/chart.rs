//! Small server-rendered SVG charts: plan against actual as paired bars. Written here rather
//! than drawn with a charting crate because a dozen paired rectangles and their labels are a
//! few lines of SVG, need no font metrics and carry their own accessible name and data table
//! (the page shows the same numbers in a table beside the chart).

use std::fmt::Write;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// One category: its label, the plan and (for periods begun) the actual.
pub(crate) struct Bar {
    pub label: String,
    pub plan: Decimal,
    pub actual: Option<Decimal>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Paired bars (plan hollow, actual filled) scaled to the largest value; the `title` is the
/// chart's accessible name. Coordinates are drawing positions, not money: f64 is fine here.
pub(crate) fn bars_svg(bars: &[Bar], title: &str) -> String {
    let max = bars
        .iter()
        .flat_map(|b| [Some(b.plan), b.actual])
        .flatten()
        .fold(Decimal::ZERO, Decimal::max)
        .to_f64()
        .unwrap_or(0.0);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title)
    );
    if bars.is_empty() || max <= 0.0 {
        svg.push_str("</svg>");
        return svg;
    }
    let slot = WIDTH / bars.len() as f64;
    let bar = (slot - 8.0) / 2.0;
    let scale = (HEIGHT - TOP - BOTTOM) / max;
    let base = HEIGHT - BOTTOM;
    for (i, b) in bars.iter().enumerate() {
        let x = i as f64 * slot + 4.0;
        let h = |v: Decimal| (v.to_f64().unwrap_or(0.0).max(0.0) * scale).round();
        let plan = h(b.plan);
        let _ = write!(
            svg,
            "<rect class=\"plan\" x=\"{x:.0}\" y=\"{:.0}\" width=\"{bar:.0}\" height=\"{plan:.0}\"/>",
            base - plan
        );
        if let Some(actual) = b.actual.map(h) {
            let _ = write!(
                svg,
                "<rect class=\"actual\" x=\"{:.0}\" y=\"{:.0}\" width=\"{bar:.0}\" height=\"{actual:.0}\"/>",
                x + bar,
                base - actual
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">{}</text>",
            x + bar,
            HEIGHT - 6.0,
            escape(&b.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_skip_months_not_begun() {
        let bars = [
            Bar { label: "Jan".into(), plan: Decimal::from(100), actual: Some(Decimal::from(200)) },
            Bar { label: "Feb<".into(), plan: Decimal::from(50), actual: None },
        ];
        let svg = bars_svg(&bars, "Revenue & more");
        assert!(svg.contains("aria-label=\"Revenue &amp; more\""), "{svg}");
        // 200 is the largest: it fills the drawing height (220 − 10 − 24 = 186).
        assert!(svg.contains("class=\"actual\" x=\"180\" y=\"10\" width=\"176\" height=\"186\""), "{svg}");
        assert!(svg.contains("class=\"plan\" x=\"4\" y=\"103\" width=\"176\" height=\"93\""), "{svg}");
        assert_eq!(svg.matches("class=\"actual\"").count(), 1);
        assert!(svg.contains(">Feb&lt;</text>"));
    }
}
