//! Who may do what: the four roles, the signed-in principal, and the checks every route makes
//! in the same order — signed in (401), role allowed (403), object of the principal's force
//! (404 otherwise, so another force's objects look exactly like missing ones).

use std::fmt;

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Bound to one force: uploads and confirms its returns.
    Submitter,
    /// Bound to one force: sees its submissions and feedback.
    ForceViewer,
    /// National: tracker, builds, downloads.
    Analyst,
    /// Manages users and periods; sees no data unless also analyst.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Submitter, Role::ForceViewer, Role::Analyst, Role::Admin];

    pub fn name(self) -> &'static str {
        match self {
            Role::Submitter => "submitter",
            Role::ForceViewer => "force_viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s.trim())
    }

    /// Force roles are bound to exactly one force; national roles to none.
    pub fn is_force_role(self) -> bool {
        matches!(self, Role::Submitter | Role::ForceViewer)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses `--role`: one role, or `admin,analyst` (the only combination: a force role belongs
/// to one force and a national role to none, so they cannot share an account).
pub fn parse_roles(s: &str) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for part in s.split(',') {
        let r = Role::parse(part).ok_or_else(|| format!("{part:?} is not a role; give submitter, force_viewer, analyst or admin (or admin,analyst)"))?;
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    roles.sort();
    if roles.len() > 1 && roles != [Role::Analyst, Role::Admin] {
        return Err(format!("{s} cannot be combined; the only combination allowed is admin,analyst"));
    }
    Ok(roles)
}

pub fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.name()).collect::<Vec<_>>().join(",")
}

/// How the request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session, with its CSRF token for forms.
    Session { token_hash: String, csrf: String },
    /// A bearer API token.
    Token,
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub username: String,
    pub roles: Vec<Role>,
    pub force: Option<String>,
    pub via: Via,
}

impl Principal {
    pub fn has(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }

    /// 403 unless the principal has one of `allowed`.
    pub fn require(&self, allowed: &[Role]) -> Result<(), ApiError> {
        if allowed.iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            let names: Vec<&str> = allowed.iter().map(|r| r.name()).collect();
            Err(ApiError::forbidden(format!("your account ({}) may not do this; it needs the role {}", roles_text(&self.roles), names.join(" or "))))
        }
    }

    /// May this principal see data of `force_id`? Analysts see every force; force roles their own.
    pub fn sees_force(&self, force_id: &str) -> bool {
        self.has(Role::Analyst) || (self.roles.iter().any(|r| r.is_force_role()) && self.force.as_deref() == Some(force_id))
    }

    /// The force of a force role (submitters upload for it).
    pub fn own_force(&self) -> Option<&str> {
        self.force.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_and_analyst_combine() {
        assert_eq!(parse_roles("analyst,admin").unwrap(), vec![Role::Analyst, Role::Admin]);
        assert!(parse_roles("submitter,analyst").is_err());
        assert!(parse_roles("root").is_err());
    }
}
