//! What every console page shows around its content: the signed-in user, the navigation with the
//! current section marked, and the CSRF token the logout form (and every other form) carries.

use crate::auth::Role;
use crate::auth::session::Principal;

/// A navigation entry: path, label, admin only.
pub const NAV: &[(&str, &str, bool)] = &[
    ("/moh", "Music on Hold", false),
    ("/flows", "Call routing", false),
    ("/calls", "Calls", false),
    ("/servers", "Asterisk servers", false),
    ("/users", "Users", true),
    ("/audit", "Audit log", true),
];

pub struct NavItem {
    pub path: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// Page furniture for a signed-in user.
pub struct Chrome {
    pub user: String,
    pub is_admin: bool,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

impl Chrome {
    /// `active` is the path of the current section (`/users`).
    pub fn new(principal: &Principal, active: &str) -> Self {
        let is_admin = principal.role == Role::Admin;
        let nav = NAV
            .iter()
            .filter(|(_, _, admin_only)| is_admin || !admin_only)
            .map(|&(path, label, _)| NavItem { path, label, current: path == active })
            .collect();
        Self {
            user: principal.name.clone(),
            is_admin,
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            nav,
        }
    }
}
