// Liveness never waits for route processing (ARCHITECTURE.md): halinkd keeps
// BFD at 50 ms x 3 and BGP keepalive 1 s / hold 3 s up with a second halinkd
// while a raw sender pushes a large table (500,000 IPv4 /24s) into it as
// fast as TCP takes it, on this 2-core machine. Half a table, not a full
// one: `make test` runs the ASan build, which ingests about 8,000 prefixes/s
// here (a million took over 110 s), so half a table already keeps halinkd
// busy for about a minute, which is what liveness is tested against; the
// Release ingest rate is bench/fulltable's job. The ingest limit is loose
// (300 s): with four other builds on the machine the ASan build took 150 s
// for 222,000 prefixes, and every session stayed up all along.
//
// (daemon_lab.h draws the three namespaces.)
// A installs every route in its kernel table and exports them all to B (B
// keeps them in memory), so A decodes, decides, writes netlink and encodes
// a million prefixes while its sessions must stay up. Root only (namespaces).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "bgp/wire/codec.h"
#include "daemon_lab.h"
#include "raw_bgp_peer.h"

using namespace halink;
using namespace halink::testing;
using namespace std::chrono_literals;
using interop::is_executable;
using interop::wait_until;

namespace {
constexpr size_t full_table = 500'000;
}  // namespace

TEST(Liveness, BfdAndKeepalivesStayUpWhileAFullTableLoads) {
  if (!running_as_root()) GTEST_SKIP() << "needs root (network namespaces)";
  if (!is_executable(HALINKD_BINARY)) GTEST_SKIP() << "halinkd not built at " << HALINKD_BINARY;
  DaemonLab lab;
  ASSERT_TRUE(lab.start());
  interop::Halinkd& a = lab.a();
  interop::Halinkd& b = lab.b();

  // The table is encoded before the clock starts: the sender is never the bottleneck.
  std::vector<uint8_t> table = table_updates(65003, IpAddress::v4(10, 0, 2, 2), 0x14000000, full_table, 1000);

  // The feed runs in its own thread inside namespace S.
  std::atomic<bool> feed_ok{true};
  std::atomic<bool> sent_all{false};
  std::atomic<bool> stop_feed{false};
  std::string feed_error;
  std::thread feed([&] {
    if (!lab.sender_namespace().enter()) {
      feed_error = "cannot enter namespace S";
      feed_ok = false;
      return;
    }
    RawBgpPeer peer;
    if (!peer.connect(IpAddress::v4(10, 0, 2, 1), 179, 10s) ||
        !peer.establish(65003, IpAddress::v4(10, 255, 0, 3).v4_host_order(), 3, 10s)) {
      feed_error = "feed session not established";
      feed_ok = false;
      return;
    }
    // 64 KiB at a time, whole messages, a KEEPALIVE every second in between
    // (our own hold timer towards A is 3 s too).
    auto last_keepalive = std::chrono::steady_clock::now();
    size_t offset = 0;
    while (!stop_feed && (offset < table.size() || !sent_all)) {
      if (offset < table.size()) {
        size_t end = offset;
        while (end < table.size() && end - offset < 65536) end += size_t(table[end + 16]) << 8 | table[end + 17];
        if (!peer.send(std::vector<uint8_t>(table.begin() + std::ptrdiff_t(offset), table.begin() + std::ptrdiff_t(end)))) {
          feed_error = "A closed the feed session";
          feed_ok = false;
          return;
        }
        offset = end;
        if (offset == table.size()) sent_all = true;
      } else {
        std::this_thread::sleep_for(100ms);
      }
      if (std::chrono::steady_clock::now() - last_keepalive >= 1s) {
        if (!peer.send(bgp::encode(bgp::Keepalive{}))) feed_ok = false;
        last_keepalive = std::chrono::steady_clock::now();
      }
      if (!peer.drain_incoming()) {
        feed_error = "A sent a NOTIFICATION or closed the feed session";
        feed_ok = false;
        return;
      }
    }
    // Keep the session alive until the test is done reading.
    while (!stop_feed) {
      std::this_thread::sleep_for(500ms);
      if (!peer.send(bgp::encode(bgp::Keepalive{})) || !peer.drain_incoming()) feed_ok = false;
    }
  });
  struct Joiner {
    std::thread& t;
    std::atomic<bool>& stop;
    ~Joiner() {
      stop = true;
      t.join();
    }
  } joiner{feed, stop_feed};

  auto start = std::chrono::steady_clock::now();
  bool loaded = wait_until([&] { return !feed_ok || received_from(a, "feed") >= full_table; }, 300s);
  auto ingest = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(feed_ok) << feed_error << "\n" << a.diagnostics();
  ASSERT_TRUE(loaded) << "A has " << received_from(a, "feed") << " prefixes after " << ingest.count() << " ms\n"
                      << a.diagnostics();
  std::cout << "[ liveness ] " << full_table << " prefixes ingested by A in " << ingest.count() << " ms\n";

  // Nothing went down anywhere during the load.
  EXPECT_EQ(downs_in(a.log_path()), "");
  EXPECT_EQ(downs_in(b.log_path()), "");
  EXPECT_EQ(a.neighbor_state("b"), "Established");
  EXPECT_EQ(a.neighbor_state("feed"), "Established");
  EXPECT_EQ(a.bfd_state("b"), "Up");
  EXPECT_EQ(b.bfd_state("a"), "Up");
  EXPECT_EQ(b.neighbor_state("a"), "Established");
}
