//! Worksheet names Excel accepts: at most 31 characters (UTF-16 units), none of `[]:*?/\`, no
//! apostrophe at either end, and unique without regard to case.

use std::collections::HashSet;

/// Excel's limit on a sheet name's length, in UTF-16 units.
const MAX: usize = 31;

/// Hands out unique sheet names.
#[derive(Debug, Default)]
pub(super) struct SheetNames {
    /// Names taken, lower-cased (Excel compares sheet names without regard to case).
    taken: HashSet<String>,
}

impl SheetNames {
    /// Names already used or reserved by Excel ("History" is).
    pub(super) fn new(reserved: &[&str]) -> SheetNames {
        let mut names = SheetNames::default();
        for r in reserved.iter().chain(["History"].iter()) {
            names.taken.insert(r.to_lowercase());
        }
        names
    }

    /// A valid, unused name close to `wanted`: invalid characters become `_`, the name is cut to
    /// 31 units, and a clash gets a ` (2)`, ` (3)`… suffix, cutting the name further to fit.
    pub(super) fn name(&mut self, wanted: &str) -> String {
        let mut clean: String = wanted
            .chars()
            .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c })
            .collect();
        if clean.starts_with('\'') {
            clean.replace_range(..1, "_");
        }
        if clean.is_empty() {
            clean.push_str("payee");
        }
        let mut n = 1;
        loop {
            let suffix = if n == 1 { String::new() } else { format!(" ({n})") };
            let mut name = cut(&clean, MAX - suffix.len());
            if name.ends_with('\'') {
                name.pop();
                name.push('_');
            }
            name.push_str(&suffix);
            if self.taken.insert(name.to_lowercase()) {
                return name;
            }
            n += 1;
        }
    }
}

/// The longest prefix of `text` of at most `units` UTF-16 units.
fn cut(text: &str, units: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= units
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> usize {
        s.encode_utf16().count()
    }

    #[test]
    fn invalid_characters_are_replaced_and_long_names_cut() {
        let mut names = SheetNames::new(&["Summary"]);
        assert_eq!(names.name("a[b]c:d*e?f/g\\h"), "a_b_c_d_e_f_g_h");
        let long = "x".repeat(40);
        assert_eq!(names.name(&long), "x".repeat(31));
        assert_eq!(names.name("'quoted'"), "_quoted_");
        assert_eq!(names.name(""), "payee");
    }

    #[test]
    fn clashes_get_a_numbered_suffix_within_the_limit() {
        let mut names = SheetNames::new(&["Summary"]);
        assert_eq!(names.name("summary"), "summary (2)");
        let prefix = "p".repeat(40);
        let a = names.name(&format!("{prefix}-ann"));
        let b = names.name(&format!("{prefix}-bob"));
        let c = names.name(&format!("{prefix}-cat"));
        assert_ne!(a.to_lowercase(), b.to_lowercase());
        assert_ne!(b.to_lowercase(), c.to_lowercase());
        assert!([&a, &b, &c].iter().all(|n| units(n) <= MAX), "{a} {b} {c}");
        assert_eq!(c, format!("{} (3)", "p".repeat(27)));
        // Cutting counts UTF-16 units, never splitting a character.
        let wide = "😀".repeat(20);
        let n = names.name(&wide);
        assert_eq!(n, "😀".repeat(15));
    }
}
