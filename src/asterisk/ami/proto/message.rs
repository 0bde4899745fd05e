//! One decoded AMI frame: an ordered list of `(key, value)` pairs with case-insensitive lookup.
//!
//! Must not interpret events or responses beyond the few accessors every layer needs; typed views
//! live in `ami::event`.

/// An AMI frame as received: keys in wire order, duplicates kept (e.g. many `Output:` lines).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    fields: Vec<(String, String)>,
}

/// What kind of frame a [`Message`] is, by its first header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind<'a> {
    /// `Response: Success|Error|Goodbye|...`
    Response(&'a str),
    /// `Event: Name`
    Event(&'a str),
    /// Neither header present (kept so callers can count it).
    Other,
}

impl Message {
    /// Builds a message from fields in wire order.
    pub fn from_fields(fields: Vec<(String, String)>) -> Self {
        Self { fields }
    }

    /// All fields in wire order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The first value for `key`, compared ignoring ASCII case (AMI keys are case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    /// Every value for `key`, in wire order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    /// `Response` or `Event`, judged by the presence of those keys.
    pub fn kind(&self) -> MessageKind<'_> {
        if let Some(response) = self.get("Response") {
            MessageKind::Response(response)
        } else if let Some(event) = self.get("Event") {
            MessageKind::Event(event)
        } else {
            MessageKind::Other
        }
    }

    /// The `ActionID` the peer echoed, if any.
    pub fn action_id(&self) -> Option<&str> {
        self.get("ActionID")
    }

    /// The event name when this is an event.
    pub fn event_name(&self) -> Option<&str> {
        match self.kind() {
            MessageKind::Event(name) => Some(name),
            _ => None,
        }
    }
}
