//! Numbers as people read them: counts with thousands separators ("151,193,041"), money in yuan
//! with two decimals ("1,234.50"), and shares as percentages with one decimal ("98.5%"). Chinese
//! banking documents and English ones both group by three digits with a comma, so the languages
//! differ only in their words around the figures.

use super::Lang;
use xiaobao_core::money::Money;

/// Digits grouped by three from the right.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Lang {
    /// A count: "151,193,041", "-1,200".
    pub fn int(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        if n < 0 { format!("-{}", grouped(&digits)) } else { grouped(&digits) }
    }

    /// An amount of money in yuan: "1,234.50".
    pub fn money(self, m: Money) -> String {
        let fen = m.fen();
        let sign = if fen < 0 { "-" } else { "" };
        let abs = fen.unsigned_abs();
        format!("{sign}{}.{:02}", grouped(&(abs / 100).to_string()), abs % 100)
    }

    /// A share (0.985) as a percentage with one decimal: "98.5%".
    pub fn percent(self, share: f64) -> String {
        if share.is_finite() { format!("{:.1}%", share * 100.0) } else { "—".to_string() }
    }

    /// A measure's figure as the pages print it: a count (`received`) grouped, a figure per 10,000
    /// (`per_10k_*`) with one decimal, a rate as a percentage with two decimals; "—" when there is
    /// nothing to divide by.
    pub fn measure(self, name: &str, value: Option<f64>) -> String {
        match value {
            None => "—".to_string(),
            Some(v) if name == "received" => self.int(v.round() as i64),
            Some(v) if name.starts_with("per_10k") => self.decimal(v, 1),
            Some(v) => format!("{}%", self.decimal(v, 2)),
        }
    }

    /// A decimal figure (a rate per 10,000) with its fraction kept to `decimals` places and its whole
    /// part grouped: "1,234.57".
    pub fn decimal(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "—".to_string();
        }
        let s = format!("{:.*}", decimals, x.abs());
        let (whole, frac) = s.split_once('.').map_or((s.as_str(), None), |(w, f)| (w, Some(f)));
        let sign = if x < 0.0 && s.bytes().any(|b| matches!(b, b'1'..=b'9')) { "-" } else { "" };
        match frac {
            Some(f) => format!("{sign}{}.{f}", grouped(whole)),
            None => format!("{sign}{}", grouped(whole)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_grouped_by_three() {
        let l = Lang::Zh;
        assert_eq!(l.int(0), "0");
        assert_eq!(l.int(999), "999");
        assert_eq!(l.int(1000), "1,000");
        assert_eq!(l.int(151193041), "151,193,041");
        assert_eq!(l.int(-1200), "-1,200");
        assert_eq!(l.int(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(Lang::En.money(Money::from_fen(123450)), "1,234.50");
        assert_eq!(l.money(Money::from_fen(5)), "0.05");
        assert_eq!(l.money(Money::from_fen(100_000_000_000_000)), "1,000,000,000,000.00");
        assert_eq!(l.percent(0.985), "98.5%");
        assert_eq!(l.percent(1.0), "100.0%");
        assert_eq!(l.percent(f64::NAN), "—");
        assert_eq!(l.decimal(1234.5678, 2), "1,234.57");
        assert_eq!(l.decimal(0.004, 2), "0.00");
        assert_eq!(l.decimal(-0.001, 2), "0.00");
        assert_eq!(l.decimal(-1234.0, 0), "-1,234");
        assert_eq!(l.measure("received", Some(1234.0)), "1,234");
        assert_eq!(l.measure("per_10k_customers", Some(12345.678)), "12,345.7");
        assert_eq!(l.measure("satisfaction", Some(1234.5)), "1,234.50%");
        assert_eq!(l.measure("satisfaction", Some(98.5)), "98.50%");
        assert_eq!(l.measure("liable_share", None), "—");
    }
}
