//! The vocabulary shared by every module: outcome kinds and service tiers.

/// How one model invocation ended, with the original's numeric values
/// (`OutcomeType` is a numeric TypeScript enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutcomeType {
    Success = 0,
    RateLimit = 1,
    FailFast = 2,
    Refusal = 3,
}

impl OutcomeType {
    /// The enum from its numeric JavaScript value; anything else is `None`.
    pub fn from_code(code: f64) -> Option<Self> {
        [
            Self::Success,
            Self::RateLimit,
            Self::FailFast,
            Self::Refusal,
        ]
        .into_iter()
        .find(|outcome| f64::from(outcome.code()) == code)
    }

    pub fn code(self) -> u32 {
        self as u32
    }
}

/// A Bedrock service tier, as the `serviceTier.type` field spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceTier {
    Reserved,
    Priority,
    Default,
    Flex,
}

impl ServiceTier {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reserved => "reserved",
            Self::Priority => "priority",
            Self::Default => "default",
            Self::Flex => "flex",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reserved" => Some(Self::Reserved),
            "priority" => Some(Self::Priority),
            "default" => Some(Self::Default),
            "flex" => Some(Self::Flex),
            _ => None,
        }
    }
}
