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

const WIDTH: i64 = 720;
const HEIGHT: i64 = 220;
const TOP: i64 = 10;
const BOTTOM: i64 = 24;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Paired bars (plan hollow, actual filled) scaled to the largest value, in whole pixels;
/// the `title` is the chart's accessible name.
pub(crate) fn bars_svg(bars: &[Bar], title: &str) -> String {
    let max = bars.iter().flat_map(|b| [Some(b.plan), b.actual]).flatten().fold(Decimal::ZERO, Decimal::max);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title)
    );
    let count = i64::try_from(bars.len()).unwrap_or(i64::MAX);
    if count == 0 || max <= Decimal::ZERO {
        svg.push_str("</svg>");
        return svg;
    }
    let slot = WIDTH / count;
    let bar = ((slot - 8) / 2).max(1);
    let drawn = Decimal::from(HEIGHT - TOP - BOTTOM);
    let base = HEIGHT - BOTTOM;
    let height = |v: Decimal| (v.max(Decimal::ZERO) * drawn / max).round().to_i64().unwrap_or(0);
    for (i, b) in (0..).zip(bars) {
        let x = i * slot + 4;
        let plan = height(b.plan);
        let _ = write!(
            svg,
            "<rect class=\"plan\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{plan}\"/>",
            base - plan
        );
        if let Some(actual) = b.actual.map(height) {
            let _ = write!(
                svg,
                "<rect class=\"actual\" x=\"{}\" y=\"{}\" width=\"{bar}\" height=\"{actual}\"/>",
                x + bar,
                base - actual
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + bar,
            HEIGHT - 6,
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
