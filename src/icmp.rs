//! ICMP echo packets: pure functions.
