//! PostgreSQL's built-in functions: their volatility as `pg_proc` records it (for offline linting),
//! and `pg_proc.provolatile` codes.

use tack_core::Volatility;

/// Volatility of common built-in functions, as `pg_proc` records them; used when not connected.
/// Functions not listed here and not known from the run are treated as volatile (the safe guess),
/// and the linter says so.
pub fn builtin_volatility(name: &str) -> Option<Volatility> {
    use Volatility::*;
    Some(match name {
        "random" | "random_normal" | "gen_random_uuid" | "uuid_generate_v1"
        | "uuid_generate_v1mc" | "uuid_generate_v4" | "uuidv4" | "uuidv7" | "clock_timestamp"
        | "timeofday" | "nextval" | "setval" | "txid_current" | "pg_current_xact_id"
        | "gen_random_bytes" | "random_string" => Volatile,
        "now"
        | "statement_timestamp"
        | "transaction_timestamp"
        | "current_setting"
        | "to_char"
        | "to_timestamp"
        | "to_date"
        | "age"
        | "current_database"
        | "current_schema"
        | "current_user"
        | "session_user"
        | "timezone"
        | "date_trunc"
        | "concat"
        | "concat_ws"
        | "jsonb_build_object"
        | "json_build_object"
        | "jsonb_build_array" => Stable,
        "lower" | "upper" | "length" | "coalesce" | "abs" | "round" | "trim" | "btrim"
        | "ltrim" | "rtrim" | "md5" | "substring" | "substr" | "replace" | "array_length"
        | "greatest" | "least" | "int4" | "int8" | "text" | "numeric" | "make_date"
        | "make_interval" | "uuid_nil" | "float8" | "bool" => Immutable,
        _ => return None,
    })
}

/// From `pg_proc.provolatile`.
pub fn from_provolatile(code: &str) -> Option<Volatility> {
    match code {
        "i" => Some(Volatility::Immutable),
        "s" => Some(Volatility::Stable),
        "v" => Some(Volatility::Volatile),
        _ => None,
    }
}
