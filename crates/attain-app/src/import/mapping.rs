//! Column mappings: how a CSV exported from another system (a Salesforce report, a HubSpot
//! export, a spreadsheet) becomes rows of one of Attain's kinds. The format is TOML and is
//! documented in docs/mappings.md; built-in mappings ship in `mappings/`.

use std::collections::BTreeMap;

use attain_core::Kind;
use attain_core::money::parse_decimal;
use serde::Deserialize;

/// A parsed mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The kind every row becomes.
    pub kind: Kind,
    #[serde(default)]
    pub description: Option<String>,
    /// Canonical column name → how to get its value.
    pub columns: BTreeMap<String, Rule>,
}

/// How one canonical column gets its value: a source column name, or a full rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Rule {
    Column(String),
    Full(Box<FullRule>),
}

/// Steps applied in order: `when` → `column` (or `default` when blank) → `map` → `date_format`
/// → `multiply` → `slug` → `prefix`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullRule {
    pub column: Option<String>,
    pub default: Option<String>,
    pub map: Option<BTreeMap<String, String>>,
    /// With `map`: the value for anything the map does not list (else it passes through).
    pub otherwise: Option<String>,
    /// strftime format of a date or date-time in the source (`%m/%d/%Y`); only the date is kept.
    pub date_format: Option<String>,
    /// A decimal to multiply a number by (revenue in millions → `1000000`).
    pub multiply: Option<String>,
    /// Turn a name into an id: lower case, runs of other characters become `-`.
    #[serde(default)]
    pub slug: bool,
    pub prefix: Option<String>,
    /// Only take a value when another source column holds one of the listed values.
    pub when: Option<When>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub column: String,
    pub is: Vec<String>,
}

/// The mappings that ship with Attain for single files.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("salesforce-opportunities", include_str!("../../mappings/salesforce-opportunities.toml")),
    ("hubspot-deals", include_str!("../../mappings/hubspot-deals.toml")),
];

impl Mapping {
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let mapping: Mapping = toml::from_str(text).map_err(|e| e.to_string())?;
        mapping.validate()?;
        Ok(mapping)
    }

    pub fn built_in(name: &str) -> Option<Mapping> {
        BUILT_IN.iter().find(|(n, _)| *n == name).and_then(|(_, text)| Mapping::parse(text).ok())
    }

    /// The mapping an upload asks for: a built-in one by `name`, or the TOML `text` of the
    /// uploader's own; neither is Attain's own columns. The error says which was wrong.
    pub fn chosen(name: Option<&str>, text: Option<&str>) -> Result<Option<Mapping>, String> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let text = text.filter(|t| !t.trim().is_empty());
        match (name, text) {
            (Some(_), Some(_)) => Err("choose a built-in mapping or send your own, not both".into()),
            (Some(name), None) => Mapping::built_in(name).map(Some).ok_or_else(|| {
                let known: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
                format!("'{name}' is not a built-in mapping (built-in: {})", known.join(", "))
            }),
            (None, Some(text)) => Mapping::parse(text).map(Some),
            (None, None) => Ok(None),
        }
    }

    fn validate(&self) -> Result<(), String> {
        let spec = self.kind.spec();
        for (name, rule) in &self.columns {
            if spec.index_of(name).is_none() {
                let known: Vec<_> = spec.columns.iter().map(|c| c.name).collect();
                return Err(format!(
                    "'{name}' is not a column of {} (columns: {})",
                    self.kind,
                    known.join(", ")
                ));
            }
            if let Rule::Full(full) = rule {
                if full.column.is_none() && full.default.is_none() {
                    return Err(format!("column '{name}' needs a source `column` or a `default`"));
                }
                if let Some(m) = &full.multiply {
                    parse_decimal(m).map_err(|e| format!("column '{name}': multiply: {e}"))?;
                }
            }
        }
        for column in spec.columns.iter().filter(|c| c.required) {
            if !self.columns.contains_key(column.name) {
                return Err(format!("required column '{}' of {} is not mapped", column.name, self.kind));
            }
        }
        Ok(())
    }

    /// The source columns the mapping reads; each must be in the file's header.
    pub fn source_columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for rule in self.columns.values() {
            match rule {
                Rule::Column(c) => out.push(c.as_str()),
                Rule::Full(f) => {
                    out.extend(f.column.as_deref());
                    out.extend(f.when.as_ref().map(|w| w.column.as_str()));
                }
            }
        }
        out
    }
}

impl Rule {
    pub fn source_column(&self) -> Option<&str> {
        match self {
            Rule::Column(c) => Some(c),
            Rule::Full(f) => f.column.as_deref(),
        }
    }

    /// Computes the canonical value from a source row; `get` looks a source column up.
    /// An error is (the offending value, why).
    pub fn apply<'a>(
        &self,
        get: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Option<String>, (String, String)> {
        let full = match self {
            Rule::Column(c) => return Ok(get(c).map(str::to_string)),
            Rule::Full(f) => f,
        };
        if let Some(when) = &full.when {
            let value = get(&when.column).unwrap_or("");
            if !when.is.iter().any(|v| v == value) {
                return Ok(None);
            }
        }
        let mut value = full.column.as_deref().and_then(&get).map(str::to_string);
        if value.is_none() {
            value = full.default.clone();
        }
        let Some(mut value) = value else { return Ok(None) };
        if let Some(map) = &full.map {
            value = match map.get(&value) {
                Some(v) => v.clone(),
                None => full.otherwise.clone().unwrap_or(value),
            };
        }
        if let Some(format) = &full.date_format {
            value = parse_with_format(&value, format)?;
        }
        if let Some(factor) = &full.multiply {
            let n = parse_decimal(&value).map_err(|e| (value.clone(), e.to_string()))?;
            let f = parse_decimal(factor).map_err(|e| (factor.clone(), e.to_string()))?;
            // A checked product: a large amount times a large factor must be a bad cell, not
            // a panic that takes the import (or the server thread) down.
            let product = n.checked_mul(f).ok_or_else(|| {
                (value.clone(), format!("'{value}' multiplied by {factor} is too large a number"))
            })?;
            value = product.normalize().to_string();
        }
        if full.slug {
            value = slug(&value);
        }
        if let Some(prefix) = &full.prefix {
            value = format!("{prefix}{value}");
        }
        Ok(Some(value))
    }
}

fn parse_with_format(value: &str, format: &str) -> Result<String, (String, String)> {
    let bad = || (value.to_string(), format!("'{value}' does not match the date format {format}"));
    let parsed = jiff::fmt::strtime::parse(format, value).map_err(|_| bad())?;
    let date = parsed.to_date().map_err(|_| bad())?;
    Ok(date.to_string())
}

/// `"Moses Frase"` → `"moses-frase"`: stable ids from names, shared by every built-in mapping.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_mappings_are_valid() {
        for (name, text) in BUILT_IN {
            Mapping::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn slugs_are_stable_ids() {
        assert_eq!(slug("Moses Frase"), "moses-frase");
        assert_eq!(slug("  Ann  O'Neil-Smith "), "ann-o-neil-smith");
        assert_eq!(slug("Zoë"), "zoë");
    }

    #[test]
    fn rules_apply_in_order() {
        let rule: Rule = toml::from_str::<BTreeMap<String, Rule>>(
            r#"x = { column = "Stage", map = { "Closed Won" = "won", "Closed Lost" = "lost" }, otherwise = "open" }"#,
        )
        .unwrap()
        .remove("x")
        .unwrap();
        assert_eq!(rule.apply(|_| Some("Closed Won")).unwrap().as_deref(), Some("won"));
        assert_eq!(rule.apply(|_| Some("Negotiation")).unwrap().as_deref(), Some("open"));
        let date = Rule::Full(Box::new(FullRule {
            column: Some("d".into()),
            date_format: Some("%m/%d/%Y".into()),
            ..Default::default()
        }));
        assert_eq!(date.apply(|_| Some("3/7/2017")).unwrap().as_deref(), Some("2017-03-07"));
        assert!(date.apply(|_| Some("2017-03-07")).is_err());
        let millions = Rule::Full(Box::new(FullRule {
            column: Some("r".into()),
            multiply: Some("1000000".into()),
            ..Default::default()
        }));
        assert_eq!(millions.apply(|_| Some("1100.04")).unwrap().as_deref(), Some("1100040000"));
        let when = Rule::Full(Box::new(FullRule {
            column: Some("d".into()),
            when: Some(When { column: "s".into(), is: vec!["Won".into()] }),
            ..Default::default()
        }));
        assert_eq!(when.apply(|c| Some(if c == "s" { "Lost" } else { "x" })).unwrap(), None);
    }

    /// Found by fuzzing (tests/app/fuzz.rs): the product overflowed a decimal and panicked.
    #[test]
    fn a_product_too_large_is_a_bad_value_not_a_panic() {
        let huge = Rule::Full(Box::new(FullRule {
            column: Some("r".into()),
            multiply: Some("79228162514264337593543950335".into()),
            ..Default::default()
        }));
        let (value, why) = huge.apply(|_| Some("10")).unwrap_err();
        assert_eq!(value, "10");
        assert!(why.contains("too large"), "{why}");
        assert_eq!(huge.apply(|_| Some("1")).unwrap().as_deref(), Some("79228162514264337593543950335"));
    }

    #[test]
    fn bad_mappings_are_refused() {
        assert!(
            Mapping::parse("kind = \"people\"\n[columns]\nid = \"ID\"\n")
                .unwrap_err()
                .contains("required column 'name'")
        );
        assert!(
            Mapping::parse("kind = \"people\"\n[columns]\nnope = \"x\"\n")
                .unwrap_err()
                .contains("'nope' is not a column")
        );
        assert!(Mapping::parse("kind = \"widgets\"\n[columns]\n").is_err());
    }
}
