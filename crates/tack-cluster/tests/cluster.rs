//! Starts and stops real clusters from every installed server bin dir: a fresh data dir is
//! initialised, the server answers on its port and in its socket dir, `stop` stops it, a
//! second start reuses the data dir, and dropping with `OnDrop::StopAndRemove` deletes it.
//! Skips (with a note) when no server binaries are installed.

use std::io::Read;
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use tack_cluster::{cluster, Cluster, ClusterOptions, OnDrop};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tack-cl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    // The server may run as another OS user (when we are root): let it in.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

/// The server answers a TCP connection with something (we send nothing: it waits for a
/// startup packet, so reading times out rather than failing).
fn answers(port: u16) -> bool {
    match TcpStream::connect(("127.0.0.1", port)) {
        Ok(mut s) => {
            s.set_read_timeout(Some(Duration::from_millis(100))).ok();
            let mut buf = [0u8; 1];
            !matches!(s.read(&mut buf), Ok(0))
        }
        Err(_) => false,
    }
}

#[test]
fn start_stop_restart_and_remove_on_drop() {
    let bins = tack_cluster::find_bin_dirs();
    if bins.is_empty() {
        let why = tack_cluster::first_bin_dir().unwrap_err().to_string();
        return tack_testkit::skip("start_stop_restart_and_remove_on_drop", &why);
    }
    for bin in bins {
        let dir = scratch(&format!("pg{}", bin.major));
        let data = dir.join("data");
        let mut opts = ClusterOptions::new(&bin.path, &data)
            .setting("fsync", "off")
            .setting("application_name", "it's quoted");
        opts.on_drop = OnDrop::Stop;
        let mut c = Cluster::start(opts.clone()).expect("first start");
        assert_eq!(c.major(), bin.major);
        assert!(c.data_dir().join("PG_VERSION").is_file());
        assert!(c.data_dir().join(format!(".s.PGSQL.{}", c.port())).exists());
        assert!(
            answers(c.port()),
            "server on port {} does not answer",
            c.port()
        );
        assert_eq!(
            c.url("my db"),
            format!("postgres://postgres@127.0.0.1:{}/my%20db", c.port())
        );
        assert_eq!(
            cluster::running_postmaster(c.data_dir()).map(|(pid, _)| pid),
            Some(c.pid())
        );
        let conf = std::fs::read_to_string(c.data_dir().join(cluster::SETTINGS_FILE)).unwrap();
        assert!(conf.contains("application_name = 'it''s quoted'"), "{conf}");

        // Starting a second server in the same data dir is refused with a clear message.
        let err = Cluster::start(opts.clone()).unwrap_err().to_string();
        assert!(err.contains("already runs"), "{err}");

        c.stop().expect("stop");
        assert!(cluster::running_postmaster(&data).is_none());
        c.stop().expect("stopping twice is fine");
        drop(c);
        assert!(
            data.join("PG_VERSION").is_file(),
            "OnDrop::Stop keeps the data"
        );

        // The data dir is reused, on a port of our choosing.
        let port = cluster::free_port().unwrap();
        opts.port = Some(port);
        opts.on_drop = OnDrop::StopAndRemove;
        let c = Cluster::start(opts).expect("second start");
        assert_eq!(c.port(), port);
        assert!(answers(port));
        drop(c);
        assert!(!data.exists(), "OnDrop::StopAndRemove deletes the data dir");
        assert!(!answers(port));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn leave_keeps_it_running_and_stop_data_dir_stops_it() {
    let Some(bin) = tack_cluster::find_bin_dirs().into_iter().next() else {
        return tack_testkit::skip(
            "leave_keeps_it_running_and_stop_data_dir_stops_it",
            "no PostgreSQL server binaries",
        );
    };
    let dir = scratch("leave");
    let data = dir.join("data");
    let log = dir.join("server.log");
    let mut opts = ClusterOptions::new(&bin.path, &data);
    opts.on_drop = OnDrop::Leave;
    opts.log_file = Some(log.clone());
    let c = Cluster::start(opts).expect("start");
    let (port, bin_dir, user) = (c.port(), c.bin_dir().to_path_buf(), c.os_user().cloned());
    drop(c);
    assert!(answers(port), "OnDrop::Leave leaves it running");
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains("ready to accept connections"));
    let stopped = cluster::stop_data_dir(
        &data,
        Some(&bin_dir),
        user.as_ref(),
        Duration::from_secs(60),
    )
    .expect("stop");
    assert!(stopped);
    assert!(!answers(port));
    assert!(!cluster::stop_data_dir(&data, None, None, Duration::from_secs(1)).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn failed_start_explains_and_removes_what_it_created() {
    let Some(bin) = tack_cluster::find_bin_dirs().into_iter().next() else {
        return tack_testkit::skip(
            "failed_start_explains_and_removes_what_it_created",
            "no PostgreSQL server binaries",
        );
    };
    let dir = scratch("bad");
    let data = dir.join("data");
    let mut opts = ClusterOptions::new(&bin.path, &data).setting("no_such_setting_x", "1");
    opts.on_drop = OnDrop::StopAndRemove;
    let err = Cluster::start(opts).unwrap_err().to_string();
    assert!(err.contains("pg_ctl start failed"), "{err}");
    assert!(
        err.contains("no_such_setting_x"),
        "the log tail names the bad setting: {err}"
    );
    assert!(!data.exists(), "the data dir it created is gone");

    // A bin dir without server programs.
    let err = Cluster::start(ClusterOptions::new(&dir, dir.join("d2"))).unwrap_err();
    assert!(
        err.to_string()
            .contains("not a usable PostgreSQL bin directory"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
