// halinkd against real BGP implementations (BIRD 2, FRR, GoBGP), each in its
// own network namespace, connected to halinkd's namespace by a veth pair:
//
//   halinkd (AS 65001, 10.1.0.0/16)  veth-pN 10.0.N.1/24 ── 10.0.N.2/24 veth-h  peer N (AS 65002, 10.2.0.0/16)
//
// (plus fd00:N::/64 and fd01::/48 / fd02::/48 in the IPv6 test). What halinkd
// installed is read back from the kernel (`ip -j route`, `ip -j nexthop`), not
// from halinkd's own view. Timers are short (hold 9 s / keepalive 3 s, connect
// retry 1 s on every side) and every wait polls with a timeout.
//
// Run: ctest -L interop -j3 (one entry per peer, about 40 s in parallel), or
// interop_test --gtest_filter='*/FRR'. HALINK_INTEROP_KEEP=1 keeps the
// configurations and logs under /tmp/halink-interop-lab-*.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "../support/netns.h"
#include "peer_daemons.h"

namespace halink::interop {
namespace {

using halink::testing::running_as_root;
using halink::testing::TestNamespace;
using Gateways = std::vector<std::string>;

constexpr uint32_t halinkd_as = 65001;
constexpr uint32_t peer_as = 65002;
const std::string halinkd_network = "10.1.0.0/16";
const std::string peer_network = "10.2.0.0/16";
const std::string halinkd_network6 = "fd01::/48";
const std::string peer_network6 = "fd02::/48";
constexpr auto session_timeout = 30s;  // FRR's first session can take a few seconds
constexpr auto change_timeout = 15s;

std::string peer_address(int i) { return "10.0." + std::to_string(i) + ".2"; }
std::string halinkd_address(int i) { return "10.0." + std::to_string(i) + ".1"; }
std::string peer_address6(int i) { return "fd00:" + std::to_string(i) + "::2"; }
std::string halinkd_address6(int i) { return "fd00:" + std::to_string(i) + "::1"; }
std::string neighbor_name(int i) { return "p" + std::to_string(i); }
std::string neighbor_name6(int i) { return "p" + std::to_string(i) + "v6"; }

// The namespaces, links, peers and halinkd of one test. Members are destroyed
// in reverse order: halinkd, peers, namespaces, then the scratch folder.
class Lab {
public:
  explicit Lab(PeerKind kind) : kind_(kind) {}

  // BGP timers of every session, both ends (set before add_peer).
  int hold_time = 9;
  int keepalive = 3;
  // A second session per peer over IPv6 (fd00:N::/64), with IPv6 networks.
  bool ipv6 = false;
  // BFD on every IPv4 session, this interval both ways, Detect Mult 3; 0: off.
  int bfd_interval_ms = 0;
  // TCP-MD5 key and GTSM on every IPv4 session, both ends.
  std::string md5_password;
  bool ttl_security = false;
  // halinkd's export policy towards every peer (config syntax).
  std::string export_policy = "all";

  bool ok() const { return dir_.path().has_filename() && router_.ok(); }
  const TestNamespace& router() const { return router_; }
  const ScratchDir& dir() const { return dir_; }
  Halinkd& halinkd() { return *halinkd_; }
  PeerDaemon& peer(int i) { return *peers_.at(i - 1); }

  // Peer i (from 1): its namespace, the link 10.0.i.0/24 to halinkd's, and
  // the daemon (not started).
  ::testing::AssertionResult add_peer(int i) {
    auto ns = std::make_unique<TestNamespace>("ip" + std::to_string(i));
    if (!ns->ok()) return ::testing::AssertionFailure() << "cannot create namespace " << ns->name();
    std::string here = "veth-p" + std::to_string(i);
    auto link = run_command("ip link add " + here + " netns " + router_.name() + " type veth peer name veth-h netns " +
                            ns->name());
    if (!link.ok()) return ::testing::AssertionFailure() << "veth: " << link.output;
    router_.run("ip addr add " + halinkd_address(i) + "/24 dev " + here + " && ip link set " + here + " up");
    ns->run("ip addr add " + peer_address(i) + "/24 dev veth-h && ip link set veth-h up");
    if (ipv6) {
      router_.run("ip addr add " + halinkd_address6(i) + "/64 dev " + here + " nodad");
      ns->run("ip addr add " + peer_address6(i) + "/64 dev veth-h nodad");
    }

    PeerSpec spec;
    spec.name = neighbor_name(i);
    spec.namespace_name = ns->name();
    spec.local_as = peer_as;
    spec.router_id = "10.2.255." + std::to_string(i);
    spec.local_address = peer_address(i);
    spec.halinkd_address = halinkd_address(i);
    spec.halinkd_as = halinkd_as;
    spec.networks = {peer_network};
    if (ipv6) {
      spec.local_address6 = peer_address6(i);
      spec.halinkd_address6 = halinkd_address6(i);
      spec.networks.push_back(peer_network6);
    }
    spec.hold_time = hold_time;
    spec.keepalive = keepalive;
    spec.bfd_interval_ms = bfd_interval_ms;
    spec.md5_password = md5_password;
    spec.ttl_security = ttl_security;
    peers_.push_back(make_peer(kind_, spec, dir_.subdir(spec.name)));
    peer_namespaces_.push_back(std::move(ns));
    return ::testing::AssertionSuccess();
  }

  // halinkd's configuration with one neighbour per peer.
  std::string halinkd_config() const {
    std::string yaml = "local_as: " + std::to_string(halinkd_as) +
                       "\nrouter_id: 10.1.255.1\n"
                       "networks: [" + halinkd_network + (ipv6 ? ", " + halinkd_network6 : "") + "]\n"
                       "control_socket: " + (dir_ / "halinkd.sock").string() + "\n"
                       "ecmp: {max_paths: 4}\n"
                       "neighbors:\n";
    for (size_t n = 1; n <= peers_.size(); ++n) {
      int i = static_cast<int>(n);
      std::string common = "\n    remote_as: " + std::to_string(peer_as) + "\n    interface: veth-p" +
                           std::to_string(i) + "\n    hold_time: " + std::to_string(hold_time) +
                           "\n    keepalive: " + std::to_string(keepalive) +
                           "\n    connect_retry: 1\n    import: all\n    export: " + export_policy + "\n";
      yaml += "  - name: " + neighbor_name(i) + "\n    address: " + peer_address(i) + common;
      if (bfd_interval_ms)
        yaml += "    bfd: {interval_ms: " + std::to_string(bfd_interval_ms) + ", multiplier: 3}\n";
      if (!md5_password.empty()) yaml += "    password_file: md5.key\n";
      if (ttl_security) yaml += "    ttl_security: true\n";
      if (ipv6) yaml += "  - name: " + neighbor_name6(i) + "\n    address: " + peer_address6(i) + common;
    }
    return yaml;
  }

  // Starts every peer, then halinkd.
  ::testing::AssertionResult start_all() {
    std::string error;
    for (auto& p : peers_)
      if (!p->start(error)) return ::testing::AssertionFailure() << error;
    if (!md5_password.empty()) write_file(dir_ / "md5.key", md5_password + "\n");
    halinkd_ = std::make_unique<Halinkd>(router_.name(), dir_.path());
    halinkd_->write_config(halinkd_config());
    if (!halinkd_->start(error)) return ::testing::AssertionFailure() << error;
    return ::testing::AssertionSuccess();
  }

  // Both ends of session i say Established.
  ::testing::AssertionResult wait_established(int i) {
    bool up = wait_until([&] { return halinkd_->neighbor_state(neighbor_name(i)) == "Established" &&
                                      (!ipv6 || halinkd_->neighbor_state(neighbor_name6(i)) == "Established") &&
                                      peer(i).established(); },
                         session_timeout);
    if (up) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "session " << neighbor_name(i) << " not Established within "
                                         << session_timeout.count() << " s; halinkd says '"
                                         << halinkd_->neighbor_state(neighbor_name(i)) << "'\n"
                                         << describe(i);
  }

  // The kernel of halinkd's namespace routes `prefix` through exactly `gateways`.
  ::testing::AssertionResult wait_kernel_route(const std::string& prefix, const Gateways& gateways) {
    if (wait_until([&] { return kernel_route(prefix) == gateways; }, change_timeout))
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "kernel route " << prefix << " via [" << join(kernel_route(prefix))
                                         << "], expected [" << join(gateways) << "]\n"
                                         << run_command("ip -n " + router_.name() + " route; ip -n " +
                                                        router_.name() + " nexthop").output
                                         << halinkd_->diagnostics();
  }

  Gateways kernel_route(const std::string& prefix) const {
    bool v6 = prefix.find(':') != std::string::npos;
    auto routes = kernel_routes(router_.name(), v6 ? IpFamily::v6 : IpFamily::v4);
    auto it = routes.find(prefix);
    return it == routes.end() ? Gateways{} : it->second;
  }

  std::string describe(int i) { return halinkd_->diagnostics() + peer(i).diagnostics(); }

  // A silent failure of peer i's link: everything it sends is dropped as it
  // arrives at halinkd's namespace (nftables at prerouting), no FIN, no RST.
  ::testing::AssertionResult silence_peer(int i) {
    write_file(dir() / "drop.nft", "table inet halink_interop {\n"
                                   "  chain ingress {\n"
                                   "    type filter hook prerouting priority -300; policy accept;\n"
                                   "    iifname \"veth-p" + std::to_string(i) + "\" drop\n"
                                   "  }\n"
                                   "}\n");
    return succeeded(run_in(router_.name(), "nft -f " + (dir() / "drop.nft").string()));
  }
  ::testing::AssertionResult unsilence_peers() {
    return succeeded(run_in(router_.name(), "nft delete table inet halink_interop"));
  }
  static ::testing::AssertionResult succeeded(const CommandResult& r) {
    if (r.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << r.output;
  }

  static std::string join(const Gateways& g) {
    std::string out;
    for (auto& s : g) out += (out.empty() ? "" : ", ") + s;
    return out;
  }

private:
  PeerKind kind_;
  ScratchDir dir_{"lab"};
  TestNamespace router_{"ih"};
  std::vector<std::unique_ptr<TestNamespace>> peer_namespaces_;
  std::vector<std::unique_ptr<PeerDaemon>> peers_;
  std::unique_ptr<Halinkd> halinkd_;
};

// Skips with a visible reason when the test cannot run here.
#define SKIP_UNLESS_RUNNABLE(kind)                                                                     \
  do {                                                                                                 \
    if (!running_as_root()) GTEST_SKIP() << "interop tests need root (network namespaces)";            \
    if (std::string m = missing_binaries(kind); !m.empty())                                            \
      GTEST_SKIP() << peer_kind_name(kind) << " is not installed (missing " << m << ")";               \
    if (!is_executable(HALINKD_BINARY)) GTEST_SKIP() << "halinkd not built at " << HALINKD_BINARY;     \
  } while (0)

class InteropTest : public ::testing::TestWithParam<PeerKind> {
protected:
  void SetUp() override { SKIP_UNLESS_RUNNABLE(GetParam()); }
};

// 1. The session comes up; halinkd's network reaches the peer, the peer's
// reaches halinkd's Loc-RIB and the kernel.
TEST_P(InteropTest, SessionEstablishesAndRoutesFlowBothWays) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));

  EXPECT_TRUE(wait_until([&] { return lab.peer(1).has_route_from_halinkd(halinkd_network); }, change_timeout))
      << lab.describe(1);
  EXPECT_TRUE(wait_until([&] { return lab.halinkd().route_next_hops(peer_network) == Gateways{peer_address(1)}; },
                         change_timeout))
      << lab.halinkd().cli("show routes").output << lab.describe(1);
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
}

// 1b. The same over an IPv6 session beside the IPv4 one (RFC 4760
// MP_REACH_NLRI): IPv6 routes both ways, into the kernel with an IPv6 next hop.
TEST_P(InteropTest, Ipv6SessionCarriesIpv6RoutesBothWays) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  lab.ipv6 = true;
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));

  EXPECT_TRUE(wait_until([&] { return lab.peer(1).has_route_from_halinkd(halinkd_network6); }, change_timeout))
      << lab.describe(1);
  EXPECT_TRUE(wait_until([&] { return lab.peer(1).has_route_from_halinkd(halinkd_network); }, change_timeout))
      << lab.describe(1);
  // The peer's global address or its link-local one (RFC 2545 §3) are both right.
  auto via_peer = [&](const Gateways& g) {
    return g.size() == 1 && (g[0] == peer_address6(1) || g[0].rfind("fe80:", 0) == 0);
  };
  EXPECT_TRUE(wait_until([&] { return via_peer(lab.kernel_route(peer_network6)); }, change_timeout))
      << "kernel route " << peer_network6 << " via [" << Lab::join(lab.kernel_route(peer_network6)) << "]\n"
      << run_command("ip -6 -n " + lab.router().name() + " route; ip -n " + lab.router().name() + " nexthop").output
      << lab.describe(1);
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
}

// 1c. An AS_PATH prepend in halinkd's export policy is what the peer receives.
TEST_P(InteropTest, ExportPrependIsSeenOnThePeersRoute) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  lab.export_policy = "{terms: [{name: prepend-two, set: {prepend: 2}}], default: reject}";
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  const std::vector<uint32_t> expected{halinkd_as, halinkd_as, halinkd_as};
  EXPECT_TRUE(wait_until([&] { return lab.peer(1).as_path_from_halinkd(halinkd_network) == expected; },
                         change_timeout))
      << "AS_PATH at the peer has " << lab.peer(1).as_path_from_halinkd(halinkd_network).size()
      << " ASes, expected 3 x " << halinkd_as << "\n"
      << lab.describe(1);
}

// 1d. TCP-MD5 (RFC 2385): the peer's kernel drops every unsigned segment, so
// an Established session with routes proves halinkd signs with the right key.
TEST_P(InteropTest, Md5SignedSessionEstablishes) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  lab.md5_password = "interop-md5-key";
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
}

// 1e. GTSM (RFC 5082) on both ends: each sends TTL 255 and accepts only 255.
TEST_P(InteropTest, GtsmSessionEstablishes) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  lab.ttl_security = true;
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
}

// 2. Two peers in the same AS announce the same prefix with equal AS paths:
// the kernel route gets both next hops (a nexthop group); when one peer goes
// away only the other remains.
TEST_P(InteropTest, EqualPathsFromTwoPeersBecomeOneKernelEcmpGroup) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.add_peer(2));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(lab.wait_established(2));

  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1), peer_address(2)}));
  // Read back through the nexthop objects: the route points at a group.
  auto route = run_command("ip -n " + lab.router().name() + " route show " + peer_network + " proto 201").output;
  EXPECT_NE(route.find("nhid"), std::string::npos) << route;

  lab.peer(2).stop();
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
  EXPECT_NE(lab.halinkd().neighbor_state(neighbor_name(2)), "Established");
  EXPECT_EQ(lab.halinkd().neighbor_state(neighbor_name(1)), "Established");
}

// 3. `halink neighbor NAME shutdown -m TEXT` sends a Cease / Administrative
// Shutdown carrying the RFC 9003 Shutdown Communication, which the peer
// shows; `enable` brings the session back.
TEST_P(InteropTest, AdminShutdownMessageReachesPeerAndEnableRestores) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));

  const std::string message = std::string("interop maintenance for ") + peer_kind_name(GetParam());
  auto reply = lab.halinkd().cli("neighbor " + neighbor_name(1) + " shutdown -m '" + message + "'");
  ASSERT_TRUE(reply.ok()) << reply.output;

  EXPECT_TRUE(wait_until([&] { return !lab.peer(1).established(); }, change_timeout)) << lab.describe(1);
  EXPECT_TRUE(wait_until([&] { return lab.peer(1).received_shutdown_message() == message; }, change_timeout))
      << "the peer shows '" << lab.peer(1).received_shutdown_message() << "', not '" << message << "'\n"
      << lab.peer(1).diagnostics();
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {}));
  EXPECT_NE(lab.halinkd().neighbor_state(neighbor_name(1)), "Established");

  reply = lab.halinkd().cli("neighbor " + neighbor_name(1) + " enable");
  ASSERT_TRUE(reply.ok()) << reply.output;
  EXPECT_TRUE(lab.wait_established(1));
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
}

// 3b. An outbound soft refresh sends the whole table again. With Enhanced
// Route Refresh (RFC 7313) it goes between BoRR and EoRR, and a peer that
// implements them drops, at EoRR, every route it did not get again: the
// routes must all still be there, the session up.
TEST_P(InteropTest, RefreshOutKeepsThePeersRoutesAndTheSession) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(wait_until([&] { return lab.peer(1).has_route_from_halinkd(halinkd_network); }, change_timeout))
      << lab.describe(1);

  auto reply = lab.halinkd().cli("neighbor " + neighbor_name(1) + " refresh out");
  ASSERT_TRUE(reply.ok()) << reply.output;
  // The refresh is a few messages on a live session; give the peer time to
  // process its end (and purge, were anything missing) before looking.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_TRUE(lab.peer(1).established()) << lab.describe(1);
  EXPECT_TRUE(lab.peer(1).has_route_from_halinkd(halinkd_network)) << lab.describe(1);
  EXPECT_EQ(lab.halinkd().neighbor_state(neighbor_name(1)), "Established");
}

// 3c. An inbound refresh: halinkd asks for the peer's table again. A peer
// with Enhanced Route Refresh answers between BoRR and EoRR, and halinkd
// removes at EoRR what was not sent again (RFC 7313 §4); everything the peer
// still has must stay, in the kernel too, with the session up.
TEST_P(InteropTest, RefreshInKeepsTheRoutesThePeerSendsAgain) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));

  auto refreshes_received = [&] {
    auto n = lab.halinkd().neighbor(neighbor_name(1));
    return n.is_object() ? n["messages"]["received"].value("route_refresh", -1) : -1;
  };
  const int before = refreshes_received();
  ASSERT_GE(before, 0);
  auto reply = lab.halinkd().cli("neighbor " + neighbor_name(1) + " refresh in");
  ASSERT_TRUE(reply.ok()) << reply.output;
  // BIRD answers between BoRR and EoRR. GoBGP has no Enhanced Route Refresh.
  // FRR 8.4 ignores the request ("rcvd route-refresh (REQUEST) ... before
  // EoR" in its debug log): with Enhanced Route Refresh it answers only once
  // it has sent End-of-RIB, which it sends only to a peer that announced
  // Graceful Restart, and halinkd does not.
  if (GetParam() == PeerKind::bird) {
    EXPECT_TRUE(wait_until([&] { return refreshes_received() >= before + 2; }, change_timeout))
        << "no BoRR and EoRR from the peer\n" << lab.describe(1);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(lab.halinkd().neighbor_state(neighbor_name(1)), "Established");
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)})) << lab.describe(1);
}

// 4. SIGTERM: halinkd withdraws its kernel routes and nexthop objects on the
// way out; started again, it installs them again.
TEST_P(InteropTest, SigtermWithdrawsKernelRoutesAndRestartRestoresThem) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));

  // The check after exit means something only if the objects were there.
  ASSERT_GT(kernel_nexthop_count(lab.router().name()), 0)
      << run_command("ip -n " + lab.router().name() + " nexthop").output;

  EXPECT_EQ(lab.halinkd().stop(), 0) << lab.halinkd().diagnostics();
  EXPECT_TRUE(kernel_routes(lab.router().name(), IpFamily::v4).empty())
      << run_command("ip -n " + lab.router().name() + " route show proto 201").output;
  EXPECT_TRUE(kernel_routes(lab.router().name(), IpFamily::v6).empty())
      << run_command("ip -6 -n " + lab.router().name() + " route show proto 201").output;
  EXPECT_EQ(kernel_nexthop_count(lab.router().name()), 0)
      << run_command("ip -n " + lab.router().name() + " nexthop").output;

  std::string error;
  ASSERT_TRUE(lab.halinkd().start(error)) << error;
  EXPECT_TRUE(lab.wait_established(1));
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
}

// 5. Silent failure: the link starts dropping everything halinkd receives
// (an nftables drop at ingress, what a dead ISP looks like). No NOTIFICATION,
// no FIN: the hold timer expires (RFC 4271 §6.5), the session goes down and the
// route leaves the kernel. When the drop is lifted the session comes back.
TEST_P(InteropTest, SilentFailureExpiresHoldTimerAndRecovers) {
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  lab.hold_time = 3;
  lab.keepalive = 1;
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));

  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(lab.silence_peer(1));

  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {}));
  auto detected = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  EXPECT_NE(lab.halinkd().neighbor_state(neighbor_name(1)), "Established");
  // Keepalives every second and a hold time of 3 s: the last keepalive heard
  // was at most 1 s before the drop, so expiry is 2-3 s after it (plus polling).
  EXPECT_GE(detected, 1900ms);
  EXPECT_LE(detected, 4500ms);
  EXPECT_NE(tail_of(lab.halinkd().log_path(), 100).find("hold timer expired"), std::string::npos)
      << "the log does not give the hold timer as the reason\n"
      << lab.halinkd().diagnostics();

  ASSERT_TRUE(lab.unsilence_peers());
  EXPECT_TRUE(lab.wait_established(1));
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
}

// 6. BFD (RFC 5880/5881, 100 ms x 3) with the peer's own implementation: the
// session comes Up on both ends; a silent failure takes the BGP session and
// the kernel route down in BFD time, far inside the 9 s hold time (RFC 5882
// §4.3); lifted, BFD and BGP come back.
TEST_P(InteropTest, BfdDetectsSilentFailureLongBeforeHoldTimer) {
  if (!peer_supports_bfd(GetParam())) GTEST_SKIP() << peer_kind_name(GetParam()) << " has no BFD";
  Lab lab(GetParam());
  ASSERT_TRUE(lab.ok());
  lab.bfd_interval_ms = 100;
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(wait_until([&] { return lab.halinkd().bfd_state(neighbor_name(1)) == "Up" && lab.peer(1).bfd_up(); },
                         change_timeout))
      << "BFD not Up: halinkd says '" << lab.halinkd().bfd_state(neighbor_name(1)) << "'\n"
      << lab.halinkd().cli("show bfd").output << lab.describe(1);
  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));

  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(lab.silence_peer(1));
  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {}));
  auto detected = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  // Detection time 300 ms; the margin is for polling, netlink and a loaded machine.
  EXPECT_LE(detected, 2000ms) << "BFD should beat the 9 s hold timer by far";
  EXPECT_NE(lab.halinkd().bfd_state(neighbor_name(1)), "Up");
  EXPECT_NE(lab.halinkd().neighbor_state(neighbor_name(1)), "Established");

  ASSERT_TRUE(lab.unsilence_peers());
  EXPECT_TRUE(wait_until([&] { return lab.halinkd().bfd_state(neighbor_name(1)) == "Up" && lab.peer(1).bfd_up(); },
                         session_timeout))
      << lab.halinkd().cli("show bfd").output << lab.describe(1);
  EXPECT_TRUE(lab.wait_established(1));
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
}

INSTANTIATE_TEST_SUITE_P(Peers, InteropTest, ::testing::Values(PeerKind::bird, PeerKind::frr, PeerKind::gobgp),
                         [](const ::testing::TestParamInfo<PeerKind>& info) {
                           return std::string(peer_kind_name(info.param));
                         });

// 7. A reload with a broken configuration is refused: halinkd keeps running
// with its sessions up, and `halink reload` names file:line:col.
TEST(InteropReload, BrokenConfigurationIsRefusedAndSessionsStayUp) {
  SKIP_UNLESS_RUNNABLE(PeerKind::bird);
  Lab lab(PeerKind::bird);
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));

  auto established_for = [&] {
    auto n = lab.halinkd().neighbor(neighbor_name(1));
    return n.is_object() && n.value("state", "") == "Established" ? n.value("since_seconds", -1.0) : -1.0;
  };
  double up_before = established_for();
  ASSERT_GE(up_before, 0.0);

  std::string good = lab.halinkd_config();
  int lines = static_cast<int>(std::count(good.begin(), good.end(), '\n'));
  lab.halinkd().write_config(good + "hodl_time: 9\n");
  std::string location = "halinkd.yaml:" + std::to_string(lines + 1) + ":1";

  // SIGHUP: refused, logged with the location; the daemon and session live on.
  ASSERT_TRUE(lab.halinkd().signal(SIGHUP));
  EXPECT_TRUE(wait_until([&] { return tail_of(lab.halinkd().log_path(), 200).find(location) != std::string::npos; },
                         change_timeout))
      << "no '" << location << "' in the log after SIGHUP\n"
      << lab.halinkd().diagnostics();
  EXPECT_TRUE(lab.halinkd().running());

  // `halink reload`: the same refusal, printed for the operator.
  auto reply = lab.halinkd().cli("reload");
  EXPECT_FALSE(reply.ok());
  EXPECT_NE(reply.output.find(location), std::string::npos) << reply.output;
  EXPECT_NE(reply.output.find("hodl_time"), std::string::npos) << reply.output;

  EXPECT_TRUE(lab.halinkd().running());
  // Not reset in between: still in the Established state entered before.
  EXPECT_GE(established_for(), up_before);
  EXPECT_TRUE(lab.peer(1).established());
  EXPECT_EQ(lab.kernel_route(peer_network), Gateways{peer_address(1)});

  // The fixed file is taken without resetting the unchanged session.
  lab.halinkd().write_config(good);
  reply = lab.halinkd().cli("reload");
  EXPECT_TRUE(reply.ok()) << reply.output;
  EXPECT_GE(established_for(), up_before);
}

// 8. A crash leaves halinkd's routes and nexthop objects in the kernel (nobody
// withdrew them); the next start removes what it does not relearn: here the
// peer is gone, so nothing of protocol 201 may remain.
TEST(InteropRestart, StaleKernelStateAfterCrashIsRemovedAtStartup) {
  SKIP_UNLESS_RUNNABLE(PeerKind::bird);
  Lab lab(PeerKind::bird);
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));

  ASSERT_TRUE(lab.halinkd().signal(SIGKILL));
  ASSERT_TRUE(wait_until([&] { return !lab.halinkd().running(); }, change_timeout));
  ASSERT_EQ(lab.kernel_route(peer_network), Gateways{peer_address(1)}) << "a killed halinkd withdraws nothing";
  lab.peer(1).stop();

  std::string error;
  ASSERT_TRUE(lab.halinkd().start(error)) << error;
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {}));
  EXPECT_TRUE(wait_until([&] { return kernel_nexthop_count(lab.router().name()) == 0; }, change_timeout))
      << run_command("ip -n " + lab.router().name() + " nexthop").output << lab.halinkd().diagnostics();
}

// 9. Fast external fall-over: the interface to the peer goes down, the session
// falls at once (not after the 9 s hold time) and the route leaves halinkd's
// Loc-RIB; the link back up, the session and the kernel route return (the
// kernel flushed the nexthop objects on that device, halinkd must reinstall).
TEST(InteropLink, InterfaceDownDropsSessionAtOnceAndUpRestoresIt) {
  SKIP_UNLESS_RUNNABLE(PeerKind::bird);
  Lab lab(PeerKind::bird);
  ASSERT_TRUE(lab.ok());
  ASSERT_TRUE(lab.add_peer(1));
  ASSERT_TRUE(lab.start_all());
  ASSERT_TRUE(lab.wait_established(1));
  ASSERT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));

  ASSERT_EQ(lab.router().run("ip link set veth-p1 down"), 0);
  EXPECT_TRUE(wait_until([&] { return lab.halinkd().neighbor_state(neighbor_name(1)) != "Established" &&
                                      lab.halinkd().route_next_hops(peer_network).empty(); },
                         2s))
      << "still '" << lab.halinkd().neighbor_state(neighbor_name(1)) << "' 2 s after the link went down\n"
      << lab.halinkd().diagnostics();

  ASSERT_EQ(lab.router().run("ip link set veth-p1 up"), 0);
  EXPECT_TRUE(lab.wait_established(1));
  EXPECT_TRUE(lab.wait_kernel_route(peer_network, {peer_address(1)}));
}

}  // namespace
}  // namespace halink::interop
