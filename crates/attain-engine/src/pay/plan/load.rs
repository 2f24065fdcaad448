//! Plan text (TOML, see docs/plans.md) into checked [`Plan`]s. Every error names the file, the
//! line and the field, and a plan either loads whole or not at all.

use std::collections::BTreeMap;
use std::fmt;

use attain_core::domain::Channel;
use attain_core::record::Choice;
use attain_core::{Currency, Validity};
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::model::*;
use super::read::{self, Bad, Got, Raw, Unit};
use super::schema;
use crate::formula::{Formula, Type};
use crate::pay::limits::Limits;
use crate::pay::rates::{RateTable, Step, TierMode};

/// Why a plan (or the crediting rules) could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub file: String,
    /// 1-based; 0 when the problem is with the file as a whole.
    pub line: usize,
    /// The field at fault, as a path (`components[1].tiers[0].rate`); empty for the file.
    pub field: String,
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for PlanError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    id: Raw,
    name: Option<Raw>,
    version: Raw,
    valid_from: Raw,
    valid_to: Option<Raw>,
    currency: Option<Raw>,
    target_incentive: Option<Raw>,
    base_salary: Option<Raw>,
    credit_on: Raw,
    clawback_days: Option<Raw>,
    negative_balance: Option<Raw>,
    draw: Option<Spanned<RawDraw>>,
    #[serde(default)]
    measures: BTreeMap<String, Spanned<RawMeasure>>,
    #[serde(default)]
    components: Vec<Spanned<RawComponent>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDraw {
    amount: Raw,
    months: Raw,
    recoverable: Option<Raw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    sum: Option<Raw>,
    value: Option<Raw>,
    credit: Option<Raw>,
    products: Option<Raw>,
    families: Option<Raw>,
    deal_types: Option<Raw>,
    channels: Option<Raw>,
    #[serde(rename = "where")]
    condition: Option<Raw>,
    from: Option<Raw>,
    to: Option<Raw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    id: Raw,
    name: Option<Raw>,
    #[serde(rename = "type")]
    kind: Raw,
    scope: Option<Raw>,
    measure: Option<Raw>,
    quota: Option<Raw>,
    mode: Option<Raw>,
    tiers: Option<Spanned<Vec<Spanned<RawTier>>>>,
    gate: Option<Raw>,
    target: Option<Raw>,
    floor: Option<Raw>,
    cap: Option<Raw>,
    year_cap: Option<Raw>,
    when: Option<Raw>,
    amount: Option<Raw>,
    percent_of_target: Option<Raw>,
    per_unit: Option<Raw>,
    objectives: Option<Spanned<Vec<Spanned<RawObjective>>>>,
    max_score: Option<Raw>,
    pays_negative: Option<Raw>,
    #[serde(default)]
    modifiers: Vec<Spanned<RawModifier>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    from: Raw,
    rate: Option<Raw>,
    amount: Option<Raw>,
    payout: Option<Raw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObjective {
    id: Raw,
    weight: Raw,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModifier {
    label: Option<Raw>,
    when: Raw,
    factor: Raw,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    primary: Option<Raw>,
    overlay_splits: Option<Raw>,
    roll_up: Option<Raw>,
}

/// Where errors are reported: the file and its text (for line numbers).
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, field: &str, bad: Bad) -> PlanError {
        PlanError {
            file: self.file.to_string(),
            line: read::line_of(self.text, bad.span.start),
            field: field.to_string(),
            message: bad.message,
        }
    }

    fn at<T>(&self, field: &str, got: Got<T>) -> Result<T, PlanError> {
        got.map_err(|b| self.error(field, b))
    }

    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, PlanError> {
        toml::from_str(self.text).map_err(|e| {
            let line = e.span().map_or(0, |s| read::line_of(self.text, s.start));
            PlanError {
                file: self.file.to_string(),
                line,
                field: String::new(),
                message: e.message().trim().to_string(),
            }
        })
    }

    fn missing(&self, span: std::ops::Range<usize>, field: &str, message: &str) -> PlanError {
        self.error(field, Bad { span, message: message.to_string() })
    }
}

/// Loads one plan version from its text. `file` is only used in error messages.
pub fn load_plan(file: &str, text: &str) -> Result<Plan, PlanError> {
    let src = Source { file, text };
    let raw: RawPlan = src.parse()?;
    let id = src.at("id", read::text(&raw.id))?;
    let version = src.at("version", read::whole(&raw.version, 1, 1_000_000))?;
    let from = src.at("valid_from", read::date(&raw.valid_from))?;
    let to = opt(&src, "valid_to", &raw.valid_to, read::date)?;
    let validity = Validity::new(from, to).map_err(|e| {
        src.missing(
            raw.valid_to.as_ref().map_or(raw.valid_from.span(), |t| t.span()),
            "valid_to",
            &e.to_string(),
        )
    })?;
    let currency = opt(&src, "currency", &raw.currency, |r| {
        let code = read::text(r)?;
        Currency::parse(&code).map_err(|e| Bad { span: r.span(), message: e.to_string() })
    })?;
    let credit_on = src.at("credit_on", read::one_of(&raw.credit_on, CreditBasis::NAMES))?;
    let credit_on = [CreditBasis::Booking, CreditBasis::Invoice, CreditBasis::Payment][credit_on];
    let negative_balance = match &raw.negative_balance {
        None => NegativeBalance::Carry,
        Some(r) => [NegativeBalance::Carry, NegativeBalance::Pay]
            [src.at("negative_balance", read::one_of(r, &["carry", "pay"]))?],
    };
    let draw = match &raw.draw {
        None => None,
        Some(d) => Some(Draw {
            amount: src.at("draw.amount", read::non_negative(&d.get_ref().amount, Unit::Amount))?,
            months: src.at("draw.months", read::whole(&d.get_ref().months, 1, 60))? as u32,
            recoverable: opt(&src, "draw.recoverable", &d.get_ref().recoverable, read::flag)?.unwrap_or(true),
        }),
    };
    let mut measures = Vec::new();
    for (name, m) in &raw.measures {
        measures.push(measure(&src, name, m)?);
    }
    let period_schema = schema::period(&measures);
    let mut components: Vec<Component> = Vec::new();
    for (i, c) in raw.components.iter().enumerate() {
        let component = component(&src, &format!("components[{i}]"), c, &measures, &period_schema)?;
        if components.iter().any(|k| k.id == component.id) {
            return Err(src.error(
                &format!("components[{i}].id"),
                Bad {
                    span: c.get_ref().id.span(),
                    message: format!("component `{}` is defined twice", component.id),
                },
            ));
        }
        components.push(component);
    }
    if components.is_empty() {
        return Err(PlanError {
            file: file.to_string(),
            line: 0,
            field: "components".into(),
            message: "a plan needs at least one component ([[components]])".into(),
        });
    }
    let plan = Plan {
        id,
        version: version as u32,
        name: opt(&src, "name", &raw.name, read::text)?.unwrap_or_default(),
        validity,
        currency,
        target_incentive: opt(&src, "target_incentive", &raw.target_incentive, |r| {
            read::non_negative(r, Unit::Amount)
        })?,
        base_salary: opt(&src, "base_salary", &raw.base_salary, |r| read::non_negative(r, Unit::Amount))?,
        credit_on,
        clawback_days: opt(&src, "clawback_days", &raw.clawback_days, |r| read::whole(r, 0, 3650))?
            .map(|d| d as u32),
        negative_balance,
        draw,
        measures,
        components,
        file: file.to_string(),
        source: text.to_string(),
    };
    needs_target(&src, &raw, &plan)?;
    Ok(plan)
}

fn opt<T>(
    src: &Source,
    field: &str,
    raw: &Option<Raw>,
    f: impl Fn(&Raw) -> Got<T>,
) -> Result<Option<T>, PlanError> {
    raw.as_ref().map(|r| src.at(field, f(r))).transpose()
}

/// Components that pay a share of the target incentive need the plan to have one.
fn needs_target(src: &Source, raw: &RawPlan, plan: &Plan) -> Result<(), PlanError> {
    if plan.target_incentive.is_some() {
        return Ok(());
    }
    for (i, c) in plan.components.iter().enumerate() {
        let uses = match &c.kind {
            ComponentKind::Commission { table, .. } => table.mode() == TierMode::Curve,
            ComponentKind::Bonus { amount, .. } => matches!(amount, BonusAmount::OfTarget(_)),
            ComponentKind::Mbo { .. } => true,
            ComponentKind::Spif { .. } => false,
        };
        if uses {
            return Err(src.missing(
                raw.components[i].get_ref().kind.span(),
                &format!("components[{i}]"),
                &format!("component `{}` pays a share of the target incentive, so the plan needs `target_incentive`", c.id),
            ));
        }
    }
    Ok(())
}

fn measure(src: &Source, name: &str, m: &Spanned<RawMeasure>) -> Result<Measure, PlanError> {
    let field = |f: &str| format!("measures.{name}.{f}");
    let raw = m.get_ref();
    // The name becomes formula variables (`<name>.total`), so it must be a formula name.
    if name.is_empty()
        || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(src.missing(
            m.span(),
            &format!("measures.{name}"),
            "measure names are lower-case letters, digits and _",
        ));
    }
    let value = match (&raw.sum, &raw.value) {
        (Some(_), Some(v)) => {
            return Err(src.missing(v.span(), &field("value"), "give either `sum` or `value`, not both"));
        }
        (None, None) => {
            return Err(src.missing(
                m.span(),
                &format!("measures.{name}"),
                "a measure needs `sum` (amount, margin, quantity, deals) or a `value` formula",
            ));
        }
        (Some(s), None) => {
            let i = src.at(&field("sum"), read::one_of(s, &["amount", "margin", "quantity", "deals"]))?;
            [MeasureValue::Amount, MeasureValue::Margin, MeasureValue::Quantity, MeasureValue::Deals][i]
                .clone()
        }
        (None, Some(v)) => {
            MeasureValue::Formula(formula(src, &field("value"), v, &schema::transaction(), Type::Number)?)
        }
    };
    let credit = match &raw.credit {
        None => CreditRoles { direct: true, overlay: true, rollup: false },
        Some(r) => {
            let names = src.at(&field("credit"), read::texts(r))?;
            let mut roles = CreditRoles { direct: false, overlay: false, rollup: false };
            for n in &names {
                match n.as_str() {
                    "direct" => roles.direct = true,
                    "overlay" => roles.overlay = true,
                    "rollup" => roles.rollup = true,
                    other => {
                        return Err(src.missing(
                            r.span(),
                            &field("credit"),
                            &format!("`{other}` is not one of direct, overlay, rollup"),
                        ));
                    }
                }
            }
            roles
        }
    };
    let from = opt(src, &field("from"), &raw.from, read::date)?;
    let to = opt(src, &field("to"), &raw.to, read::date)?;
    let dates = match (from, to) {
        (None, None) => None,
        (Some(from), to) => {
            Some(Validity::new(from, to).map_err(|e| src.missing(m.span(), &field("to"), &e.to_string()))?)
        }
        (None, Some(_)) => {
            return Err(src.missing(
                m.span(),
                &field("from"),
                "a date window needs `from` (`to` alone is not enough)",
            ));
        }
    };
    let filter = Filter {
        products: opt(src, &field("products"), &raw.products, read::texts)?.unwrap_or_default(),
        families: opt(src, &field("families"), &raw.families, read::texts)?.unwrap_or_default(),
        deal_types: choices(src, &field("deal_types"), &raw.deal_types)?,
        channels: choices::<Channel>(src, &field("channels"), &raw.channels)?,
        dates,
        condition: raw
            .condition
            .as_ref()
            .map(|c| formula(src, &field("where"), c, &schema::transaction(), Type::Bool))
            .transpose()?,
    };
    Ok(Measure { id: name.to_string(), value, credit, filter })
}

fn choices<C: Choice>(src: &Source, field: &str, raw: &Option<Raw>) -> Result<Vec<C>, PlanError> {
    let Some(r) = raw else { return Ok(Vec::new()) };
    src.at(field, read::texts(r))?
        .iter()
        .map(|t| C::parse(t).map_err(|e| src.missing(r.span(), field, &e.to_string())))
        .collect()
}

fn formula(
    src: &Source,
    field: &str,
    raw: &Raw,
    schema: &crate::formula::Schema,
    ty: Type,
) -> Result<Formula, PlanError> {
    let text = src.at(field, read::text(raw))?;
    Formula::compile_as(&text, schema, ty).map_err(|e| src.missing(raw.span(), field, &e.to_string()))
}

fn component(
    src: &Source,
    path: &str,
    c: &Spanned<RawComponent>,
    measures: &[Measure],
    period_schema: &crate::formula::Schema,
) -> Result<Component, PlanError> {
    let raw = c.get_ref();
    let field = |f: &str| format!("{path}.{f}");
    let id = src.at(&field("id"), read::text(&raw.id))?;
    let kind_index =
        src.at(&field("type"), read::one_of(&raw.kind, &["commission", "bonus", "spif", "mbo"]))?;
    let kind_name = ["commission", "bonus", "spif", "mbo"][kind_index];
    // Fields that do not apply to this type are refused, so a typo'd plan cannot half-work.
    let present: [(&str, bool, &[usize]); 13] = [
        ("measure", raw.measure.is_some(), &[0, 2]),
        ("quota", raw.quota.is_some(), &[0]),
        ("mode", raw.mode.is_some(), &[0]),
        ("tiers", raw.tiers.is_some(), &[0]),
        ("gate", raw.gate.is_some(), &[0]),
        ("target", raw.target.is_some(), &[0, 3]),
        ("when", raw.when.is_some(), &[1]),
        ("amount", raw.amount.is_some(), &[1]),
        ("percent_of_target", raw.percent_of_target.is_some(), &[1]),
        ("per_unit", raw.per_unit.is_some(), &[2]),
        ("objectives", raw.objectives.is_some(), &[3]),
        ("max_score", raw.max_score.is_some(), &[3]),
        ("pays_negative", raw.pays_negative.is_some(), &[0]),
    ];
    for (name, is_set, allowed) in present {
        if is_set && !allowed.contains(&kind_index) {
            return Err(src.missing(
                c.span(),
                &field(name),
                &format!("`{name}` does not apply to a {kind_name} component"),
            ));
        }
    }
    let scope_default = if kind_index == 0 || kind_index == 2 { Scope::Month } else { Scope::Quarter };
    let scope = match &raw.scope {
        None => scope_default,
        Some(r) => {
            let i = src.at(&field("scope"), read::one_of(r, Scope::NAMES))?;
            [Scope::Month, Scope::Quarter, Scope::Year, Scope::Qtd, Scope::Ytd][i]
        }
    };
    let find_measure = |r: &Option<Raw>| -> Result<usize, PlanError> {
        let Some(r) = r else {
            return Err(src.missing(
                c.span(),
                &field("measure"),
                &format!("a {kind_name} component needs `measure`"),
            ));
        };
        let name = src.at(&field("measure"), read::text(r))?;
        measures.iter().position(|m| m.id == name).ok_or_else(|| {
            let known: Vec<&str> = measures.iter().map(|m| m.id.as_str()).collect();
            src.missing(
                r.span(),
                &field("measure"),
                &format!(
                    "no measure `{name}` in [measures] (there are: {})",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ),
            )
        })
    };
    let kind = match kind_index {
        0 => commission(src, path, c, find_measure(&raw.measure)?)?,
        1 => {
            let when = need(src, c, &field("when"), &raw.when)?;
            let when = formula(src, &field("when"), when, period_schema, Type::Bool)?;
            let amount = match (&raw.amount, &raw.percent_of_target) {
                (Some(a), None) => {
                    BonusAmount::Fixed(src.at(&field("amount"), read::non_negative(a, Unit::Amount))?)
                }
                (None, Some(p)) => BonusAmount::OfTarget(
                    src.at(&field("percent_of_target"), read::non_negative(p, Unit::Share))?,
                ),
                _ => {
                    return Err(src.missing(
                        c.span(),
                        &field("amount"),
                        "a bonus needs exactly one of `amount` and `percent_of_target`",
                    ));
                }
            };
            ComponentKind::Bonus { when, amount }
        }
        2 => {
            let per_unit = need(src, c, &field("per_unit"), &raw.per_unit)?;
            ComponentKind::Spif {
                measure: find_measure(&raw.measure)?,
                per_unit: src.at(&field("per_unit"), read::non_negative(per_unit, Unit::Amount))?,
            }
        }
        _ => mbo(src, path, c)?,
    };
    let limits = Limits {
        floor: opt(src, &field("floor"), &raw.floor, |r| read::non_negative(r, Unit::Amount))?,
        period_cap: opt(src, &field("cap"), &raw.cap, |r| read::non_negative(r, Unit::Amount))?,
        year_cap: opt(src, &field("year_cap"), &raw.year_cap, |r| read::non_negative(r, Unit::Amount))?,
    };
    let mut modifiers = Vec::new();
    for (i, m) in raw.modifiers.iter().enumerate() {
        let mf = |f: &str| format!("{path}.modifiers[{i}].{f}");
        let m = m.get_ref();
        modifiers.push(Modifier {
            label: opt(src, &mf("label"), &m.label, read::text)?
                .unwrap_or_else(|| format!("modifier {}", i + 1)),
            when: formula(src, &mf("when"), &m.when, period_schema, Type::Bool)?,
            factor: src.at(&mf("factor"), read::non_negative(&m.factor, Unit::Share))?,
        });
    }
    Ok(Component {
        name: opt(src, &field("name"), &raw.name, read::text)?.unwrap_or_else(|| id.clone()),
        id,
        scope,
        kind,
        limits,
        modifiers,
    })
}

fn need<'r>(
    src: &Source,
    c: &Spanned<RawComponent>,
    field: &str,
    raw: &'r Option<Raw>,
) -> Result<&'r Raw, PlanError> {
    raw.as_ref().ok_or_else(|| {
        let name = field.rsplit('.').next().unwrap_or(field);
        src.missing(c.span(), field, &format!("this component needs `{name}`"))
    })
}

fn commission(
    src: &Source,
    path: &str,
    c: &Spanned<RawComponent>,
    measure: usize,
) -> Result<ComponentKind, PlanError> {
    let raw = c.get_ref();
    let field = |f: &str| format!("{path}.{f}");
    let mode_raw = need(src, c, &field("mode"), &raw.mode)?;
    let mode = [TierMode::Marginal, TierMode::Retroactive, TierMode::Step, TierMode::Curve]
        [src.at(&field("mode"), read::one_of(mode_raw, &["marginal", "retroactive", "step", "curve"]))?];
    let basis = match &raw.quota {
        Some(q) => TierBasis::Attainment { quota: src.at(&field("quota"), read::text(q))? },
        None => TierBasis::Amount,
    };
    if mode == TierMode::Curve && basis == TierBasis::Amount {
        return Err(src.missing(
            c.span(),
            &field("quota"),
            "a curve pays by attainment, so it needs `quota`",
        ));
    }
    if mode != TierMode::Curve
        && let Some(t) = &raw.target
    {
        return Err(src.missing(
            t.span(),
            &field("target"),
            "`target` applies to curve tables (and mbo components) only",
        ));
    }
    let start_unit = if basis == TierBasis::Amount { Unit::Amount } else { Unit::Share };
    let Some(tiers) = &raw.tiers else {
        return Err(src.missing(c.span(), &field("tiers"), "a commission needs `tiers`"));
    };
    let (value_name, value_unit) = match mode {
        TierMode::Marginal | TierMode::Retroactive => ("rate", Unit::Share),
        TierMode::Step => ("amount", Unit::Amount),
        TierMode::Curve => ("payout", Unit::Share),
    };
    // A negative tier value pays negative money (takes pay away), which is almost always a
    // typo; only a component that says so on purpose may have one.
    let pays_negative = opt(src, &field("pays_negative"), &raw.pays_negative, read::flag)?.unwrap_or(false);
    let tier_value = |r: &Raw| -> Got<Decimal> {
        let value = read::decimal(r, value_unit)?;
        if value < Decimal::ZERO && !pays_negative {
            return read::bad(
                r,
                format!(
                    "must not be negative ({value}); a component that may pay negative amounts says `pays_negative = true`"
                ),
            );
        }
        Ok(value)
    };
    let mut steps = Vec::new();
    for (i, t) in tiers.get_ref().iter().enumerate() {
        let tf = |f: &str| format!("{path}.tiers[{i}].{f}");
        let t = t.get_ref();
        let from = src.at(&tf("from"), read::decimal(&t.from, start_unit))?;
        let given: [(&str, &Option<Raw>); 3] =
            [("rate", &t.rate), ("amount", &t.amount), ("payout", &t.payout)];
        let mut value = None;
        for (name, v) in given {
            match v {
                Some(r) if name == value_name => value = Some(src.at(&tf(name), tier_value(r))?),
                Some(r) => {
                    return Err(src.missing(
                        r.span(),
                        &tf(name),
                        &format!("a {} tier gives `{value_name}`, not `{name}`", mode.name()),
                    ));
                }
                None => {}
            }
        }
        let value = value.ok_or_else(|| {
            src.missing(
                t.from.span(),
                &tf(value_name),
                &format!("a {} tier needs `{value_name}`", mode.name()),
            )
        })?;
        steps.push(Step { from, value });
    }
    let table = RateTable::new(mode, steps).map_err(|e| {
        let at = match &e {
            crate::pay::rates::RateError::NotIncreasing { index, .. }
            | crate::pay::rates::RateError::Negative { index, .. } => *index,
            crate::pay::rates::RateError::Empty => 0,
        };
        let span = tiers.get_ref().get(at).map_or(tiers.span(), |t| t.get_ref().from.span());
        src.missing(span, &format!("{path}.tiers[{at}].from"), &e.to_string())
    })?;
    Ok(ComponentKind::Commission {
        measure,
        basis,
        table,
        gate: opt(src, &field("gate"), &raw.gate, |r| read::non_negative(r, start_unit))?,
        target: opt(src, &field("target"), &raw.target, |r| read::non_negative(r, Unit::Share))?
            .unwrap_or(Decimal::ONE),
    })
}

fn mbo(src: &Source, path: &str, c: &Spanned<RawComponent>) -> Result<ComponentKind, PlanError> {
    let raw = c.get_ref();
    let field = |f: &str| format!("{path}.{f}");
    let target = src.at(
        &field("target"),
        read::non_negative(need(src, c, &field("target"), &raw.target)?, Unit::Share),
    )?;
    let Some(list) = &raw.objectives else {
        return Err(src.missing(c.span(), &field("objectives"), "an mbo component needs `objectives`"));
    };
    let mut objectives: Vec<Objective> = Vec::new();
    for (i, o) in list.get_ref().iter().enumerate() {
        let o = o.get_ref();
        let id = src.at(&format!("{path}.objectives[{i}].id"), read::text(&o.id))?;
        let weight =
            src.at(&format!("{path}.objectives[{i}].weight"), read::non_negative(&o.weight, Unit::Share))?;
        objectives.push(Objective { id, weight });
    }
    let total: Decimal = objectives.iter().map(|o| o.weight).sum();
    if total != Decimal::ONE {
        return Err(src.missing(
            list.span(),
            &field("objectives"),
            &format!("objective weights total {}%, not 100%", (total * Decimal::ONE_HUNDRED).normalize()),
        ));
    }
    Ok(ComponentKind::Mbo {
        target,
        objectives,
        max_score: opt(src, &field("max_score"), &raw.max_score, |r| read::non_negative(r, Unit::Share))?
            .unwrap_or(Decimal::ONE),
    })
}

/// Loads the company's crediting rules (`crediting.toml`).
pub fn load_rules(file: &str, text: &str) -> Result<CreditRules, PlanError> {
    let src = Source { file, text };
    let raw: RawRules = src.parse()?;
    let mut rules = CreditRules::default();
    if let Some(p) = &raw.primary {
        let names = src.at("primary", read::texts(p))?;
        rules.primary.clear();
        for n in names {
            let i = PrimaryRule::NAMES.iter().position(|k| *k == n).ok_or_else(|| {
                src.missing(
                    p.span(),
                    "primary",
                    &format!("`{n}` is not one of {}", PrimaryRule::NAMES.join(", ")),
                )
            })?;
            let rule = [
                PrimaryRule::Splits,
                PrimaryRule::OpportunityOwner,
                PrimaryRule::TransactionOwner,
                PrimaryRule::NamedAccount,
                PrimaryRule::TerritoryOwner,
            ][i];
            if rules.primary.contains(&rule) {
                return Err(src.missing(p.span(), "primary", &format!("`{n}` is listed twice")));
            }
            rules.primary.push(rule);
        }
        if rules.primary.is_empty() {
            return Err(src.missing(p.span(), "primary", "name at least one crediting rule"));
        }
    }
    if let Some(r) = &raw.overlay_splits {
        rules.overlay_splits = src.at("overlay_splits", read::flag(r))?;
    }
    if let Some(r) = &raw.roll_up {
        rules.roll_up = src.at("roll_up", read::flag(r))?;
    }
    Ok(rules)
}
