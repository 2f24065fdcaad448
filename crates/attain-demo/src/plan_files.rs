//! The demo company's compensation plans, as the plan files a comp admin would keep in git:
//! an Account Executive plan in two yearly versions (commission on bookings with quarterly
//! accelerators, a quarter bonus, a draw for new hires, a second-quarter SPIF on the Analytics
//! add-on), a manager override on the team's roll-up with management objectives, a sales
//! engineer overlay, and the company's crediting rules.
//!
//! The files are templates: `{{Y0}}` and `{{Y1}}` stand for the first and second years of the
//! demo's history, so the plans fit the demo whatever its `as_of`.

use attain_core::Date;

const TEMPLATES: [(&str, &str); 5] = [
    ("ae-v1.toml", include_str!("../plans/ae-v1.toml")),
    ("ae-v2.toml", include_str!("../plans/ae-v2.toml")),
    ("crediting.toml", include_str!("../plans/crediting.toml")),
    ("manager.toml", include_str!("../plans/manager.toml")),
    ("se.toml", include_str!("../plans/se.toml")),
];

/// `(file name, text)` of every demo plan file for a demo as of `as_of`, in name order;
/// `crediting.toml` holds the crediting rules.
pub fn plan_files(as_of: Date) -> Vec<(String, String)> {
    let first = crate::dates::Window::new(as_of).start.year();
    TEMPLATES
        .iter()
        .map(|(name, text)| {
            let text = text.replace("{{Y0}}", &first.to_string()).replace("{{Y1}}", &(first + 1).to_string());
            (name.to_string(), text)
        })
        .collect()
}
