//! Who is acting and what they may do: user roles, the acting user's context ([`Actor`]) that
//! every app operation takes first, and the permission rules shared by the UI, the API and
//! the CLI.

pub mod password;
pub mod secret;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;

use std::fmt;

use serde::Serialize;

/// A user's role. The scope of what each may read is in [`crate::scope`]; what each may do
/// is [`Role::may`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including users and the audit log.
    Admin,
    /// Comp admin / sales ops: plans, quotas, territories, data, runs.
    CompAdmin,
    /// Payouts, accruals, exports; read-only elsewhere.
    Finance,
    /// Their org subtree, effective-dated; read-only.
    Manager,
    /// Themselves only; read-only.
    Rep,
    /// The whole company, read-only.
    Executive,
}

/// Something a role may or may not do (reading records is a matter of scope, not of this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Add, disable and reset users.
    ManageUsers,
    /// Browse and verify the audit log.
    ViewAudit,
    /// Import files and edit records.
    EditData,
    /// Export the company's data.
    ExportData,
    /// Change compensation plans, run, close and reopen pay periods.
    ManagePay,
    /// See the company's plan: the revenue plan and its versions, plan against actual.
    ViewPlan,
    /// Prepare the revenue plan: draft versions, objectives and month shares.
    ManagePlan,
    /// Approve a draft of the revenue plan (someone other than who prepared it).
    ApprovePlan,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::CompAdmin, Role::Finance, Role::Manager, Role::Rep, Role::Executive];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::CompAdmin => "comp_admin",
            Role::Finance => "finance",
            Role::Manager => "manager",
            Role::Rep => "rep",
            Role::Executive => "executive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::CompAdmin => "Comp admin / sales ops",
            Role::Finance => "Finance",
            Role::Manager => "Sales manager",
            Role::Rep => "Sales rep",
            Role::Executive => "Executive",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        let wanted = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Role::ALL.into_iter().find(|r| r.as_str() == wanted)
    }

    /// Managers and reps see records through the person they are; the others see everything.
    pub fn needs_person(self) -> bool {
        matches!(self, Role::Manager | Role::Rep)
    }

    pub fn may(self, permission: Permission) -> bool {
        match permission {
            Permission::ManageUsers | Permission::ViewAudit => self == Role::Admin,
            Permission::EditData => matches!(self, Role::Admin | Role::CompAdmin),
            Permission::ExportData => matches!(self, Role::Admin | Role::CompAdmin | Role::Finance),
            Permission::ManagePay => matches!(self, Role::Admin | Role::CompAdmin),
            // Company totals: the roles that see the whole company, never managers or reps.
            Permission::ViewPlan => !self.needs_person(),
            Permission::ManagePlan => matches!(self, Role::Admin | Role::CompAdmin),
            Permission::ApprovePlan => matches!(self, Role::Admin | Role::Finance | Role::Executive),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the actor reached us: recorded in the audit log with every change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session.
    Session,
    /// An API token (its id, never its secret).
    Token(String),
    /// The `attain` command line on the server's machine.
    Cli,
    /// Attain itself (demo seeding, first-run setup).
    System,
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Via::Session => f.write_str("session"),
            Via::Token(id) => write!(f, "token:{id}"),
            Via::Cli => f.write_str("cli"),
            Via::System => f.write_str("system"),
        }
    }
}

/// The acting user's context: the first argument of every app operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the command line and the system, which act outside any user account.
    pub user_id: Option<String>,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// The person a manager or rep is, whose org subtree or self bounds what they see.
    pub person_id: Option<String>,
    pub via: Via,
    pub ip: Option<String>,
}

impl Actor {
    /// The operator at the command line: the machine's shell is trusted as an admin.
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            login: std::env::var("USER").map(|u| format!("cli:{u}")).unwrap_or_else(|_| "cli".into()),
            display_name: "Command line".into(),
            role: Role::Admin,
            person_id: None,
            via: Via::Cli,
            ip: None,
        }
    }

    /// Attain acting on its own behalf (seeding, first-run setup).
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            login: "system".into(),
            display_name: "Attain".into(),
            role: Role::Admin,
            person_id: None,
            via: Via::System,
            ip: None,
        }
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.role.may(permission)
    }

    /// Fails with [`crate::AppError::Forbidden`] unless the actor may do `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), crate::AppError> {
        if self.may(permission) { Ok(()) } else { Err(crate::AppError::Forbidden) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_leniently_and_print_canonically() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Comp-Admin"), Some(Role::CompAdmin));
        assert_eq!(Role::parse("boss"), None);
    }

    #[test]
    fn only_admins_manage_users_and_only_data_roles_edit() {
        let editors: Vec<Role> = Role::ALL.into_iter().filter(|r| r.may(Permission::EditData)).collect();
        assert_eq!(editors, [Role::Admin, Role::CompAdmin]);
        let user_admins: Vec<Role> =
            Role::ALL.into_iter().filter(|r| r.may(Permission::ManageUsers)).collect();
        assert_eq!(user_admins, [Role::Admin]);
        assert!(Role::Finance.may(Permission::ExportData));
        assert!(!Role::Executive.may(Permission::ExportData));
    }
}
