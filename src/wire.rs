//! The two macros that define every enumeration of wire values (crate-private):
//!
//! - `open_enum!` for values WeChat Pay **sends** (`verify_openid`, `risk_level`, error codes…):
//!   known values become variants, anything else is kept verbatim in `Other(String)` — never
//!   dropped, never an error. Read with `from_wire`, written back with `as_str`. A variant may
//!   accept several spellings (`NOAUTH` | `NO_AUTH`); `as_str` gives the first.
//! - `closed_enum!` for values this crate **sends** (`sign_type`, `cred_type`, `version`…): a
//!   fixed set, `as_str`, and `FromStr` refusing anything else with
//!   [`FieldError::NotInEnum`](crate::error::FieldError::NotInEnum).

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal $(| $alias:literal)*
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        ///
        /// Values this crate does not know are kept verbatim in `Other`.
        #[non_exhaustive]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire value (the first spelling, for values with several).
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(s) => s,
                }
            }

            /// From a wire value; unknown values become `Other`.
            #[must_use]
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire $(| $alias)* => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::from_wire(s)
            }
        }
    };
}

macro_rules! closed_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $field:literal {
            $(#[$vmeta0:meta])*
            $variant0:ident = $wire0:literal
            $(
                ,
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal
            )* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $(#[$vmeta0])* $variant0,
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[Self::$variant0 $(, Self::$variant)*];

            /// The wire value.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    Self::$variant0 => $wire0,
                    $( Self::$variant => $wire, )*
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl core::str::FromStr for $name {
            type Err = $crate::error::FieldError;
            /// The exact wire spelling; anything else is
            /// [`FieldError::NotInEnum`]($crate::error::FieldError::NotInEnum).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $wire0 => Ok(Self::$variant0),
                    $( $wire => Ok(Self::$variant), )*
                    _ => Err($crate::error::FieldError::NotInEnum {
                        field: $field,
                        allowed: concat!($wire0 $(, ", ", $wire)*),
                    }),
                }
            }
        }
    };
}

pub(crate) use {closed_enum, open_enum};
