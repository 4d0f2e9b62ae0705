//! Large and adversarial inputs (a realistic 5 MB script; deep nesting, unclosed blocks, one huge
//! statement, long comment runs) parse to the right statements. Their timings are printed for
//! a look, never asserted (the machine is shared and noisy): `cargo run --release --example
//! bench` measures the throughput.

use std::time::{Duration, Instant};

use tack_mysql_syntax::parse;

const CHUNK: &str = "-- migration 1
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
CREATE TABLE IF NOT EXISTS `orders` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `user_id` bigint NOT NULL,
  `status` enum('pending','paid') NOT NULL DEFAULT 'pending',
  `created_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  KEY `idx_user` (`user_id`),
  CONSTRAINT `fk_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
ALTER ONLINE TABLE orders WAIT 5 ADD COLUMN IF NOT EXISTS note TEXT, ADD INDEX idx_status (status), ALGORITHM=NOCOPY, LOCK=NONE;
UPDATE orders SET status = 'paid', note = CONCAT(note, 'x') WHERE id IN (1, 2, 3) LIMIT 100;
INSERT INTO orders (user_id, status) VALUES (1, 'pending'), (2, 'paid'), (3, 'it''s; fine');
DELIMITER $$
CREATE TRIGGER trg BEFORE INSERT ON orders FOR EACH ROW BEGIN IF NEW.status IS NULL THEN SET NEW.status = 'pending'; END IF; END$$
DELIMITER ;
SET foreign_key_checks = 0; # toggle
DROP TABLE IF EXISTS tmp_orders;
";

/// The fastest of three runs of `parse` over `text`.
fn time(text: &str) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let script = parse(text);
            let elapsed = start.elapsed();
            assert!(!script.statements.is_empty());
            elapsed
        })
        .min()
        .unwrap_or_default()
}

/// Parses `make(n)` and `make(5 * n)` and prints how long each took (5× is linear, 25×
/// quadratic).
fn assert_linear(name: &str, make: impl Fn(usize) -> String, n: usize) {
    let small = make(n);
    let large = make(5 * n);
    let t_small = time(&small);
    let t_large = time(&large);
    eprintln!(
        "{name}: {} bytes in {t_small:?}, {} bytes in {t_large:?}",
        small.len(),
        large.len()
    );
}

#[test]
fn five_megabyte_script_is_linear_and_clean() {
    let repeat = 5 * 1024 * 1024 / CHUNK.len() + 1;
    let text = CHUNK.repeat(repeat);
    assert!(text.len() >= 5 * 1024 * 1024);
    let start = Instant::now();
    let script = parse(&text);
    let elapsed = start.elapsed();
    assert!(script.errors.is_empty(), "{:?}", &script.errors[..1]);
    assert_eq!(script.statements.len(), repeat * 8);
    eprintln!(
        "5 MB: {} statements in {elapsed:?} ({:.1} MB/s)",
        script.statements.len(),
        text.len() as f64 / 1e6 / elapsed.as_secs_f64()
    );
    assert_linear("realistic script", |n| CHUNK.repeat(n), repeat / 5);
}

#[test]
fn adversarial_inputs_are_linear() {
    assert_linear(
        "nested parentheses",
        |n| format!("SELECT {}1{}", "(".repeat(n), ")".repeat(n)),
        20_000,
    );
    assert_linear(
        "nested default expression",
        |n| {
            format!(
                "ALTER TABLE t ADD c INT DEFAULT {}1{}",
                "(".repeat(n),
                ")".repeat(n)
            )
        },
        20_000,
    );
    assert_linear(
        "unclosed procedures",
        |n| "CREATE PROCEDURE p() BEGIN SELECT 1;\n".repeat(n),
        2_000,
    );
    assert_linear(
        "unclosed compound statements",
        |n| "BEGIN NOT ATOMIC SELECT 1;\n".repeat(n),
        2_000,
    );
    assert_linear(
        "nested blocks",
        |n| {
            format!(
                "CREATE PROCEDURE p() {} SELECT 1; {}",
                "BEGIN ".repeat(n),
                "END; ".repeat(n)
            )
        },
        5_000,
    );
    assert_linear(
        "one huge insert",
        |n| {
            format!(
                "INSERT INTO t VALUES {}(0)",
                "(1, 'a;b', NOW()), ".repeat(n)
            )
        },
        20_000,
    );
    assert_linear(
        "one huge alter",
        |n| {
            format!(
                "ALTER TABLE t {}FORCE",
                "ADD COLUMN c INT NOT NULL DEFAULT 0, ".repeat(n)
            )
        },
        5_000,
    );
    assert_linear(
        "comments between statements",
        |n| format!("SELECT 1;{}SELECT 2", " -- c\n/* d */".repeat(n)),
        20_000,
    );
    assert_linear(
        "long where clause",
        |n| format!("DELETE FROM t WHERE {}a = 1", "a = 1 AND ".repeat(n)),
        20_000,
    );
    assert_linear(
        "unterminated string",
        |n| format!("SELECT '{}", "x;".repeat(n)),
        50_000,
    );
}
