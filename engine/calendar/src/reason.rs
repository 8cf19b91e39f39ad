//! Why a given day is not worked, so that schedules can explain themselves.

use jiff::civil::Weekday;

/// The reason a day is not a working day.
///
/// When several apply, the most specific wins: public holiday, then closure,
/// then non-working weekday.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum NonWorkingReason {
    /// The weekday is not worked (not necessarily Saturday or Sunday).
    #[serde(with = "monday_zero")]
    Weekend(Weekday),
    /// A public holiday, by its French name.
    PublicHoliday(&'static str),
    /// A programme closure, by its name.
    Closure(String),
}

/// A weekday as days after Monday (jiff's `Weekday` has no serde form).
mod monday_zero {
    use jiff::civil::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(weekday: &Weekday, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i8(weekday.to_monday_zero_offset())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Weekday, D::Error> {
        let offset = i8::deserialize(deserializer)?;
        Weekday::from_monday_zero_offset(offset).map_err(serde::de::Error::custom)
    }
}

/// A reason as read back, before a holiday's name is matched to ours.
#[derive(serde::Deserialize)]
enum Written {
    Weekend(#[serde(with = "monday_zero")] Weekday),
    PublicHoliday(String),
    Closure(String),
}

// By hand: a derive would tie the input's lifetime to the holiday's `'static` name.
impl<'de> serde::Deserialize<'de> for NonWorkingReason {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Written::deserialize(deserializer)
            .and_then(|written| Self::try_from(written).map_err(serde::de::Error::custom))
    }
}

impl TryFrom<Written> for NonWorkingReason {
    type Error = String;

    fn try_from(written: Written) -> Result<Self, String> {
        Ok(match written {
            Written::Weekend(day) => Self::Weekend(day),
            Written::PublicHoliday(name) => Self::PublicHoliday(
                crate::holidays::known_name(&name)
                    .ok_or_else(|| format!("no public holiday is named {name:?}"))?,
            ),
            Written::Closure(name) => Self::Closure(name),
        })
    }
}
