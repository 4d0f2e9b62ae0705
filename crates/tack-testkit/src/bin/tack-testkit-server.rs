//! `tack-testkit-server`: prints the admin URL of the test kit's default PostgreSQL server (the
//! one from TACK_TEST_DATABASE_URL, the local server, or a throwaway cluster it starts), so
//! scripts such as the demo can use a database without one being configured.

fn main() {
    println!("{}", tack_testkit::server().admin_url());
}
