//! The pages' charts, drawn on the server with plotters' SVG backend: bars, rate lines (percent) and
//! a day × hour heat map. Each chart is an `<svg role="img">` with a `<title>`; its text is SVG text,
//! so the browser draws Chinese with its own fonts. The marks a test or a reader looks for (a bar's
//! `data-month`, a line's `data-rate`, a cell's hover text) are added after plotters has drawn them.

use crate::api::measures::FiguresView;
use crate::i18n::Lang;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const W: u32 = 720;
const H: u32 = 200;
const FONT: &str = "sans-serif";
/// The opacity that marks an element drawn for a datum: the marks are put on such elements, in the
/// order they were drawn, and the opacity made whole again.
const MARK_ALPHA: f64 = 0.999;
const MARK_ATTR: &str = "opacity=\"0.999\"";

pub const RED: RGBColor = RGBColor(0x8a, 0x1c, 0x1c);
pub const BLUE: RGBColor = RGBColor(0x1c, 0x5a, 0x8a);
pub const GREEN: RGBColor = RGBColor(0x2e, 0x7d, 0x32);

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn marked(c: RGBColor) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, MARK_ALPHA)
}

/// What to put on one marked element: attributes (`data-month="2025-03"`) and its hover text.
pub struct Mark {
    pub attrs: String,
    pub title: String,
}

/// Replaces plotters' opening `<svg …>` with ours (id, class, role, a width that follows the page)
/// and its title, then marks the datum elements in drawing order.
fn finish(svg: String, id: &str, title: &str, marks: Vec<Mark>) -> String {
    let body = svg.find('>').map_or("", |end| &svg[end + 1..]);
    let mut out = format!(
        r#"<svg class="chart" id="{id}" role="img" aria-label="{t}" viewBox="0 0 {w} {h}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = escape(title),
        w = svg_size(&svg).0,
        h = svg_size(&svg).1,
    );
    let mut marks = marks.into_iter();
    let mut rest = body;
    while let Some(at) = rest.find(MARK_ATTR) {
        // the element holding the mark: from its `<` to its `/>`
        let start = rest[..at].rfind('<').unwrap_or(0);
        let Some(len) = rest[at..].find("/>") else { break };
        let end = at + len;
        let element = &rest[start..end];
        let tag: String = element[1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let element = element.replace(MARK_ATTR, "opacity=\"1\"");
        out.push_str(&rest[..start]);
        match marks.next() {
            Some(m) => {
                let attrs = format!(" {}", m.attrs.trim());
                let element = match element.find(" points=\"") {
                    Some(p) => format!("{}{attrs}{}", &element[..p], &element[p..]),
                    None => format!("{element}{attrs}"),
                };
                out.push_str(&format!("{element}><title>{}</title></{tag}>", escape(&m.title)));
            }
            None => out.push_str(&format!("{element}/>")),
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> Option<u32> {
        let at = svg.find(&format!("{name}=\""))? + name.len() + 2;
        svg[at..].split('"').next()?.parse().ok()
    };
    (attr("width").unwrap_or(W), attr("height").unwrap_or(H))
}

/// The label of the tick at `x` when it falls on a datum, else nothing.
fn label_at(labels: &[String], x: f64) -> String {
    if (x - x.round()).abs() > 1e-6 || x < -0.1 {
        return String::new();
    }
    labels.get(x.round() as usize).cloned().unwrap_or_default()
}

/// One bar: its key (put in `data-{attr}`), its axis label, its value and the value as shown.
pub struct Bar {
    pub key: String,
    pub label: String,
    pub value: f64,
    pub shown: String,
}

/// Bars of counts, each marked `class="bar" data-{attr}="{key}"` with its `key: shown` as hover
/// text and its value above it.
pub fn bar_chart(id: &str, title: &str, attr: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max).max(1.0) * 1.15;
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let n = bars.len().max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        let _ = draw_bars(&root, max, n, &labels, bars);
        let _ = root.present();
    }
    let marks = bars
        .iter()
        .map(|b| Mark {
            attrs: format!("class=\"bar\" data-{attr}=\"{}\"", escape(&b.key)),
            title: format!("{}: {}", b.key, b.shown),
        })
        .collect();
    finish(svg, id, title, marks)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn draw_bars(
    root: &Area,
    max: f64,
    n: usize,
    labels: &[String],
    bars: &[Bar],
) -> Result<(), Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(22)
        .y_label_area_size(40)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..max)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(16))
        .x_label_formatter(&|x| label_at(labels, *x))
        .y_labels(4)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style((FONT, 14))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .draw()?;
    chart.draw_series(
        bars.iter()
            .enumerate()
            .map(|(i, b)| Rectangle::new([(i as f64 - 0.3, 0.0), (i as f64 + 0.3, b.value)], marked(RED).filled())),
    )?;
    if n <= 16 {
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            Text::new(
                b.shown.clone(),
                (i as f64, b.value + max * 0.02),
                TextStyle::from((FONT, 14)).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
        }))?;
    }
    Ok(())
}

/// One line of a rate chart: its name (put in `data-rate`), its legend and colour, and its value
/// (percent) at each x label, none where there is no denominator.
pub struct Line<'a> {
    pub name: &'a str,
    pub legend: &'a str,
    pub colour: RGBColor,
    pub values: Vec<Option<f64>>,
}

/// Rates in percent as lines over `labels`, each line marked `class="rate" data-rate="{name}"`.
pub fn rate_chart(id: &str, title: &str, labels: &[String], lines: &[Line]) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        let _ = draw_lines(&root, labels, lines);
        let _ = root.present();
    }
    let marks = lines
        .iter()
        .map(|l| Mark {
            attrs: format!("class=\"rate\" data-rate=\"{}\"", escape(l.name)),
            title: l.legend.to_string(),
        })
        .collect();
    finish(svg, id, title, marks)
}

fn draw_lines(root: &Area, labels: &[String], lines: &[Line]) -> Result<(), Box<dyn std::error::Error>> {
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(22)
        .y_label_area_size(44)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..105.0)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(16))
        .x_label_formatter(&|x| label_at(labels, *x))
        .y_labels(3)
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .label_style((FONT, 14))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .draw()?;
    for l in lines {
        let points: Vec<(f64, f64)> =
            l.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).collect();
        let colour = l.colour;
        chart
            .draw_series(LineSeries::new(points.clone(), marked(colour).stroke_width(2)))?
            .label(l.legend)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, colour.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.8))
        .border_style(RGBColor(0xcc, 0xcc, 0xcc))
        .draw()?;
    Ok(())
}

/// A day × hour heat map: one row per day, one column per hour, each cell coloured by its value
/// (light to dark) and marked `class="cell" data-day data-hour` with its hover text.
pub struct HeatMap {
    pub days: Vec<String>,
    pub hours: Vec<u32>,
    /// (day index, hour, value, hover text)
    pub cells: Vec<(usize, u32, f64, String)>,
}

pub fn heat_map(id: &str, title: &str, map: &HeatMap) -> String {
    let rows = map.days.len().max(1);
    let height = (40 + 16 * rows as u32).max(120);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, height)).into_drawing_area();
        let _ = draw_heat(&root, map);
        let _ = root.present();
    }
    let marks = map
        .cells
        .iter()
        .map(|(d, h, _, hover)| Mark {
            attrs: format!(
                "class=\"cell\" data-day=\"{}\" data-hour=\"{h:02}\"",
                escape(map.days.get(*d).map_or("", String::as_str))
            ),
            title: hover.clone(),
        })
        .collect();
    finish(svg, id, title, marks)
}

/// Light yellow for little, deep red for the most.
fn heat_colour(share: f64) -> RGBColor {
    let s = share.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * s).round() as u8;
    RGBColor(mix(255.0, 0x8a as f64), mix(0xf3 as f64, 0x1c as f64), mix(0xc4 as f64, 0x1c as f64))
}

fn draw_heat(root: &Area, map: &HeatMap) -> Result<(), Box<dyn std::error::Error>> {
    let first = map.hours.first().copied().unwrap_or(8) as f64;
    let last = map.hours.last().copied().unwrap_or(18) as f64;
    let rows = map.days.len().max(1);
    let max = map.cells.iter().map(|c| c.2).fold(0.0_f64, f64::max).max(f64::MIN_POSITIVE);
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(22)
        .y_label_area_size(50)
        .build_cartesian_2d((first - 0.5)..(last + 0.5), (rows as f64 - 0.5)..-0.5)?;
    let days = &map.days;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels((last - first) as usize + 1)
        .x_label_formatter(&|x| {
            if (x - x.round()).abs() < 1e-6 { format!("{:02}", x.round() as i64) } else { String::new() }
        })
        .y_labels(rows.min(31))
        .y_label_formatter(&|y| label_at(days, *y))
        .label_style((FONT, 13))
        .draw()?;
    chart.draw_series(map.cells.iter().map(|(d, h, v, _)| {
        let (x, y) = (*h as f64, *d as f64);
        Rectangle::new([(x - 0.46, y - 0.44), (x + 0.46, y + 0.44)], marked(heat_colour(v / max)).filled())
    }))?;
    Ok(())
}

/// The complaint measures' monthly volume (`#volume-chart`): a bar per month with its count.
pub fn volume_svg(lang: Lang, rows: &[(&str, &FiguresView)]) -> String {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(month, f)| Bar {
            key: month.to_string(),
            label: month.get(2..).unwrap_or(month).to_string(),
            value: f.received as f64,
            shown: lang.int(f.received),
        })
        .collect();
    bar_chart("volume-chart", lang.t("received"), "month", &bars)
}

/// The complaint measures' timely-response and satisfaction rates by month (`#rates-chart`).
pub fn rates_svg(lang: Lang, rows: &[(&str, &FiguresView)]) -> String {
    let labels: Vec<String> = rows.iter().map(|(m, _)| m.get(2..).unwrap_or(m).to_string()).collect();
    let line = |name: &'static str, colour| Line {
        name,
        legend: lang.t(name),
        colour,
        values: rows.iter().map(|(_, f)| f.rates.get(name).and_then(|r| r.value)).collect(),
    };
    let lines = [line("timely_response_rate", BLUE), line("satisfaction", GREEN)];
    let title = format!("{} / {}", lang.t("timely_response_rate"), lang.t("satisfaction"));
    rate_chart("rates-chart", &title, &labels, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_marks_and_chinese_text() {
        let bars = vec![
            Bar { key: "2025-03".into(), label: "25-03".into(), value: 5.0, shown: "5".into() },
            Bar { key: "2025-04".into(), label: "25-04".into(), value: 2.0, shown: "2".into() },
        ];
        let svg = bar_chart("volume-chart", "受理量", "month", &bars);
        assert!(svg.starts_with("<svg class=\"chart\" id=\"volume-chart\" role=\"img\""), "{svg}");
        assert!(svg.contains("<title>受理量</title>"));
        assert!(svg.contains("data-month=\"2025-03\""), "{svg}");
        assert!(svg.contains("<title>2025-03: 5</title></rect>"), "{svg}");
        assert!(svg.contains("\n25-03\n</text>"), "{svg}");
        assert!(!svg.contains(MARK_ATTR));
        assert!(svg.ends_with("</svg>\n") || svg.ends_with("</svg>"));
    }

    #[test]
    fn lines_are_marked_before_their_points() {
        let labels = vec!["03".to_string(), "04".to_string()];
        let lines = [Line { name: "satisfaction", legend: "满意率", colour: GREEN, values: vec![Some(50.0), None] }];
        let svg = rate_chart("rates-chart", "满意率", &labels, &lines);
        assert!(svg.contains("data-rate=\"satisfaction\" points=\""), "{svg}");
        assert!(svg.contains("满意率"));
    }

    #[test]
    fn heat_cells_are_marked_by_day_and_hour() {
        let map = HeatMap {
            days: vec!["12-01".into(), "12-02".into()],
            hours: vec![9, 10],
            cells: vec![(0, 9, 3.0, "12-01 09时".into()), (1, 10, 1.0, "12-02 10时".into())],
        };
        let svg = heat_map("heat-map", "热力图", &map);
        assert!(svg.contains("class=\"cell\" data-day=\"12-02\" data-hour=\"10\""), "{svg}");
        assert_eq!(svg.matches("class=\"cell\"").count(), 2);
    }
}
