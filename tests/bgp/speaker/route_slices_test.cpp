// Received routes are processed in bounded slices (ARCHITECTURE.md "Liveness
// never waits for route processing"): bytes are decoded at once, the route
// work waits in the neighbour's queue until process_pending() takes it.
#include <gtest/gtest.h>

#include "bgp/speaker/refresh_marks.h"
#include "bgp/speaker/route_inbox.h"
#include "bgp/speaker/speaker.h"
#include "bgp/wire/codec.h"
#include "bgp/wire/update_codec.h"

using namespace halink;
using namespace halink::bgp;

namespace {

constexpr uint32_t local_as = 65001;
constexpr uint32_t peer_as = 65002;
const IpAddress local_address = IpAddress::v4(10, 0, 0, 1);

Policy accept_all() {
  Policy p;
  p.name = "accept-all";
  p.default_verdict = PolicyVerdict::accept;
  return p;
}

NeighborSettings neighbor(const std::string& name, IpAddress address) {
  NeighborSettings s;
  s.name = name;
  s.address = address;
  s.interface = "wg-" + name;
  s.session.remote_as = peer_as;
  s.session.hold_time = Duration::seconds(3);
  s.session.keepalive = Duration::seconds(1);
  s.session.passive = true;
  s.session.families = {AfiSafi::unicast(Family::ipv4)};
  s.policy.import_policy = accept_all();
  s.policy.export_policy = accept_all();
  return s;
}

std::vector<uint8_t> peer_open(uint32_t router_id, bool enhanced_route_refresh = false) {
  OpenMessage open;
  open.my_as = uint16_t(peer_as);
  open.hold_time = 3;
  open.bgp_identifier = router_id;
  open.capabilities.four_octet_as = peer_as;
  open.capabilities.multiprotocol = {AfiSafi::unicast(Family::ipv4)};
  open.capabilities.route_refresh = enhanced_route_refresh;
  open.capabilities.enhanced_route_refresh = enhanced_route_refresh;
  return encode(open);
}

// `count` /24 prefixes from `first` on, announced with next hop `gateway`.
std::vector<uint8_t> table(uint32_t first, size_t count, IpAddress gateway) {
  Update u;
  u.attributes.origin = Origin::igp;
  u.attributes.as_path = AsPath{};
  u.attributes.as_path->prepend(peer_as);
  u.attributes.next_hop = gateway;
  for (size_t i = 0; i < count; ++i)
    u.nlri.prefixes.push_back(*Prefix::make(IpAddress::v4(first + uint32_t(i << 8)), 24));
  std::vector<uint8_t> bytes;
  CodecContext ctx;
  for (const Update& part : split_update(u, ctx)) {
    std::vector<uint8_t> one = encode(part, ctx);
    bytes.insert(bytes.end(), one.begin(), one.end());
  }
  return bytes;
}

struct Harness {
  Speaker speaker{[] {
                    SpeakerConfig c;
                    c.local_as = local_as;
                    c.router_id = IpAddress::v4(10, 0, 0, 1).v4_host_order();
                    return c;
                  }(),
                  [] { return 0.5; }};
  Time now = Time::zero() + Duration::seconds(100);
  std::vector<SpeakerAction> actions;

  // A neighbour connected and Established.
  std::pair<PeerId, ConnectionId> establish(const std::string& name, IpAddress address, uint32_t router_id,
                                            bool enhanced_route_refresh = false, bool soft_reconfiguration = false) {
    NeighborSettings settings = neighbor(name, address);
    settings.soft_reconfiguration_inbound = soft_reconfiguration;
    PeerId peer = speaker.add_neighbor(now, settings);
    speaker.start(now);
    ConnectionId c = speaker.on_incoming(now, peer, local_address);
    feed(peer, c, peer_open(router_id, enhanced_route_refresh));
    feed(peer, c, encode(Keepalive{}));
    EXPECT_EQ(speaker.neighbor(peer)->state, SessionState::established);
    return {peer, c};
  }
  void feed(PeerId peer, ConnectionId c, const std::vector<uint8_t>& bytes) {
    speaker.on_bytes(now, peer, c, bytes);
    take();
  }
  void take() {
    for (SpeakerAction& a : speaker.take_actions()) actions.push_back(std::move(a));
  }
  template <class A>
  std::vector<A> taken() {
    std::vector<A> out;
    for (SpeakerAction& a : actions)
      if (auto* x = std::get_if<A>(&a)) out.push_back(*x);
    return out;
  }
  size_t route_changes() {
    size_t count = 0;
    for (auto& changes : taken<speaker::RouteChanges>()) count += changes.changes.size();
    return count;
  }
};

}  // namespace

TEST(RouteInbox, CountsPrefixesAndDropsTheDeadSessionsUpdates) {
  RouteInbox inbox;
  session::ReceivedUpdate a;
  a.update.nlri.prefixes = {*Prefix::parse("10.1.0.0/16"), *Prefix::parse("10.2.0.0/16")};
  a.update.withdrawn.prefixes = {*Prefix::parse("10.3.0.0/16")};
  inbox.push(a);
  inbox.push(session::ReceivedUpdate{});  // End-of-RIB costs one
  EXPECT_EQ(inbox.queued_prefixes(), 4u);
  EXPECT_TRUE(inbox.pop().has_value());
  EXPECT_EQ(inbox.queued_prefixes(), 1u);
  inbox.clear();  // the session went down
  EXPECT_TRUE(inbox.empty());
  EXPECT_EQ(inbox.queued_prefixes(), 0u);
}

TEST(RouteSlices, ReceivedTableIsProcessedInBoundedSlices) {
  Harness h;
  auto [peer, c] = h.establish("p", IpAddress::v4(10, 0, 0, 2), 0x0a000002);
  h.feed(peer, c, table(0x0b000000, 20000, IpAddress::v4(10, 0, 0, 2)));
  // Decoded (the hold timer restarted) but no route work done yet.
  EXPECT_EQ(h.speaker.loc_rib_prefixes(), 0u);
  EXPECT_EQ(h.speaker.pending_prefixes(peer), 20000u);
  EXPECT_EQ(h.speaker.neighbor(peer)->queued_prefixes, 20000u);

  size_t calls = 0;
  size_t previous = 0;
  bool more = true;
  while (more) {
    more = h.speaker.process_pending(h.now, 4096);
    ++calls;
    size_t done = h.speaker.loc_rib_prefixes() - previous;
    // Whole UPDATEs: a slice may overshoot by one UPDATE (< 1100 /24s in 4096 octets).
    if (more) {
      EXPECT_GE(done, 4096u);
    }
    EXPECT_LT(done, 4096u + 1100u);
    previous = h.speaker.loc_rib_prefixes();
  }
  h.take();
  EXPECT_GE(calls, 4u);
  EXPECT_LE(calls, 5u);
  EXPECT_EQ(h.speaker.loc_rib_prefixes(), 20000u);
  EXPECT_EQ(h.route_changes(), 20000u);
  EXPECT_FALSE(h.speaker.has_pending());
}

TEST(RouteSlices, KeepalivesAreSentWhileRoutesWait) {
  Harness h;
  auto [peer, c] = h.establish("p", IpAddress::v4(10, 0, 0, 2), 0x0a000002);
  h.feed(peer, c, table(0x0b000000, 5000, IpAddress::v4(10, 0, 0, 2)));
  h.actions.clear();
  // The keepalive timer fires with 5000 prefixes still queued: the KEEPALIVE
  // goes out, no route is touched.
  h.now = h.speaker.next_deadline();
  h.speaker.on_timer(h.now);
  h.take();
  auto sent = h.taken<speaker::SendBytes>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, encode(Keepalive{}));
  EXPECT_EQ(h.speaker.loc_rib_prefixes(), 0u);
  EXPECT_EQ(h.speaker.pending_prefixes(peer), 5000u);
}

TEST(RouteSlices, PeerDownMovesForwardingFirstThenWithdrawsInSlices) {
  Harness h;
  auto [p1, c1] = h.establish("p1", IpAddress::v4(10, 0, 0, 2), 0x0a000002);
  auto [p2, c2] = h.establish("p2", IpAddress::v4(10, 0, 0, 3), 0x0a000003);
  h.feed(p1, c1, table(0x0b000000, 10000, IpAddress::v4(10, 0, 0, 2)));
  h.feed(p2, c2, table(0x0b000000, 10000, IpAddress::v4(10, 0, 0, 3)));
  while (h.speaker.process_pending(h.now, h.speaker.unlimited_budget)) {
  }
  h.take();
  ASSERT_EQ(h.speaker.loc_rib_prefixes(), 10000u);
  h.actions.clear();

  h.speaker.on_closed(h.now, p1, c1);
  h.take();
  // At once: PeerDown and NextHopDown (the FIB drops the gateway everywhere
  // in one step); the per-prefix withdrawals are queued.
  ASSERT_EQ(h.taken<speaker::NextHopDown>().size(), 1u);
  EXPECT_EQ(h.taken<speaker::NextHopDown>()[0].next_hop.gateway, IpAddress::v4(10, 0, 0, 2));
  EXPECT_EQ(h.taken<speaker::PeerDown>().size(), 1u);
  EXPECT_EQ(h.route_changes(), 0u);
  EXPECT_EQ(h.speaker.pending_prefixes(p1), 10000u);

  // A new UPDATE from p2 for a prefix p1's stale path still covers: the
  // FIB is never handed the dead gateway again.
  h.feed(p2, c2, table(0x0b000000, 1, IpAddress::v4(10, 0, 0, 3)));
  size_t slices = 0;
  while (h.speaker.process_pending(h.now, 4096)) ++slices;
  h.take();
  EXPECT_EQ(slices, 2u);
  for (auto& changes : h.taken<speaker::RouteChanges>())
    for (auto& change : changes.changes) {
      ASSERT_EQ(change.next_hops.size(), 1u) << change.prefix.to_string();
      EXPECT_EQ(change.next_hops[0].gateway, IpAddress::v4(10, 0, 0, 3));
    }
  EXPECT_EQ(h.speaker.neighbor(p1)->received_prefixes, 0u);
  EXPECT_EQ(h.speaker.neighbor(p2)->received_prefixes, 10000u);
}

TEST(RouteSlices, SessionBackBeforeWithdrawalsFinishKeepsTheNewRoutes) {
  Harness h;
  auto [peer, c] = h.establish("p", IpAddress::v4(10, 0, 0, 2), 0x0a000002);
  h.feed(peer, c, table(0x0b000000, 3000, IpAddress::v4(10, 0, 0, 2)));
  while (h.speaker.process_pending(h.now, h.speaker.unlimited_budget)) {
  }
  h.speaker.on_closed(h.now, peer, c);
  ASSERT_TRUE(h.speaker.process_pending(h.now, 1000));  // 2000 withdrawals left
  // The peer is back and announces the first 100 prefixes again.
  h.now = h.now + Duration::seconds(30);  // past the idle-hold back-off
  h.speaker.on_timer(h.now);
  ConnectionId again = h.speaker.on_incoming(h.now, peer, local_address);
  h.feed(peer, again, peer_open(0x0a000002));
  h.feed(peer, again, encode(Keepalive{}));
  ASSERT_EQ(h.speaker.neighbor(peer)->state, SessionState::established);
  h.feed(peer, again, table(0x0b000000, 100, IpAddress::v4(10, 0, 0, 2)));
  while (h.speaker.process_pending(h.now, 512)) {
  }
  // Old withdrawals first, then the new session's routes: exactly its 100.
  EXPECT_EQ(h.speaker.loc_rib_prefixes(), 100u);
}

TEST(RouteSlices, NeighboursShareTheBudget) {
  Harness h;
  auto [p1, c1] = h.establish("p1", IpAddress::v4(10, 0, 0, 2), 0x0a000002);
  auto [p2, c2] = h.establish("p2", IpAddress::v4(10, 0, 0, 3), 0x0a000003);
  h.feed(p1, c1, table(0x0b000000, 20000, IpAddress::v4(10, 0, 0, 2)));
  h.feed(p2, c2, table(0x0c000000, 2000, IpAddress::v4(10, 0, 0, 3)));
  // p2's small table is not stuck behind p1's large one: one UPDATE each
  // per turn, so both of p2's are done within the first slice.
  ASSERT_TRUE(h.speaker.process_pending(h.now, 4096));
  EXPECT_EQ(h.speaker.pending_prefixes(p2), 0u);
  EXPECT_EQ(h.speaker.neighbor(p2)->received_prefixes, 2000u);
  EXPECT_LT(h.speaker.neighbor(p1)->received_prefixes, 4096u);
}

namespace {
// The UPDATE messages in `bytes` (a stream of whole BGP messages), by length.
std::vector<size_t> update_lengths(const std::vector<uint8_t>& bytes) {
  std::vector<size_t> out;
  for (size_t at = 0; at + 19 <= bytes.size();) {
    const size_t length = size_t(bytes[at + 16]) << 8 | bytes[at + 17];
    if (bytes[at + 18] == 2) out.push_back(length);
    at += length;
  }
  return out;
}
}  // namespace

TEST(RouteSlices, TableExportToANewSessionIsSlicedAndEndsWithEndOfRib) {
  Harness h;
  auto [feeder, fc] = h.establish("feeder", IpAddress::v4(10, 0, 0, 2), 0x0a000002);
  h.feed(feeder, fc, table(0x0b000000, 20000, IpAddress::v4(10, 0, 0, 2)));
  while (h.speaker.process_pending(h.now, h.speaker.unlimited_budget)) {
  }
  ASSERT_EQ(h.speaker.loc_rib_prefixes(), 20000u);
  h.actions.clear();

  // A session coming up next to the table: nothing is exported at once,
  // the table goes out in bounded slices, each one sent as it is done.
  auto [late, lc] = h.establish("late", IpAddress::v4(10, 0, 0, 3), 0x0a000003);
  EXPECT_EQ(h.speaker.neighbor(late)->advertised_prefixes, 0u);
  EXPECT_TRUE(h.speaker.has_pending());
  size_t slices = 0;
  while (h.speaker.process_pending(h.now, 4096)) {
    ++slices;
    EXPECT_LT(h.speaker.neighbor(late)->advertised_prefixes, 20000u);
  }
  h.take();
  EXPECT_GE(slices, 4u);
  EXPECT_EQ(h.speaker.neighbor(late)->advertised_prefixes, 20000u);

  // RFC 4724 §2: one End-of-RIB (an UPDATE of 23 octets), after the table.
  std::vector<uint8_t> sent;
  for (auto& send : h.taken<speaker::SendBytes>())
    if (send.peer == late) sent.insert(sent.end(), send.bytes.begin(), send.bytes.end());
  std::vector<size_t> updates = update_lengths(sent);
  ASSERT_GT(updates.size(), 1u);
  EXPECT_EQ(updates.back(), 23u);
  EXPECT_EQ(std::count(updates.begin(), updates.end(), size_t(23)), 1);
}

// RFC 7313 §4: the peer sends its table again between BoRR and EoRR; at EoRR
// the routes it did not send again are removed, the others stay (they are
// never withdrawn in between). The markers wait in the queue in their place
// among the UPDATEs: here the whole refresh arrives before any of it is
// processed. Without the capability negotiated the markers mean nothing.
// With soft reconfiguration the copy as received loses the routes as well.
TEST(RouteSlices, EnhancedRouteRefreshRemovesWhatThePeerDidNotSendAgain) {
  for (auto [enhanced, soft] : {std::pair{true, false}, std::pair{false, false}, std::pair{true, true}}) {
    SCOPED_TRACE(std::string(enhanced ? "Enhanced Route Refresh" : "not negotiated") +
                 (soft ? ", soft reconfiguration" : ""));
    Harness h;
    const IpAddress gateway = IpAddress::v4(10, 0, 0, 2);
    auto [peer, c] = h.establish("p", gateway, 0x0a000002, enhanced, soft);
    h.feed(peer, c, table(0x0b000000, 3000, gateway));
    while (h.speaker.process_pending(h.now, 4096)) {
    }
    ASSERT_EQ(h.speaker.loc_rib_prefixes(), 3000u);
    h.take();
    const size_t changes_before = h.route_changes();

    const AfiSafi ipv4 = AfiSafi::unicast(Family::ipv4);
    std::vector<uint8_t> refresh = encode(RouteRefresh{ipv4, RouteRefresh::begin_of_rib});
    const std::vector<uint8_t> again = table(0x0b000000, 2000, gateway);
    const std::vector<uint8_t> end = encode(RouteRefresh{ipv4, RouteRefresh::end_of_rib});
    refresh.insert(refresh.end(), again.begin(), again.end());
    refresh.insert(refresh.end(), end.begin(), end.end());
    h.feed(peer, c, refresh);
    while (h.speaker.process_pending(h.now, 4096)) {
    }
    h.take();
    EXPECT_EQ(h.speaker.neighbor(peer)->state, SessionState::established);
    EXPECT_EQ(h.speaker.loc_rib_prefixes(), enhanced ? 2000u : 3000u);
    EXPECT_TRUE(h.speaker.route(*Prefix::make(IpAddress::v4(0x0b000000 + (1999u << 8)), 24)));
    EXPECT_EQ(bool(h.speaker.route(*Prefix::make(IpAddress::v4(0x0b000000 + (2000u << 8)), 24))), !enhanced);
    // The 2,000 routes sent again changed nothing; only the removed ones did.
    EXPECT_EQ(h.route_changes() - changes_before, enhanced ? 1000u : 0u);
    if (soft) {
      auto received = h.speaker.received_routes(peer);
      ASSERT_TRUE(received);
      EXPECT_TRUE(received->pre_policy);
      EXPECT_EQ(received->routes.size(), 2000u);
    }
  }
}

// A peer that sends BoRR and never its EoRR (its session state lost, say)
// cannot keep the routes it did not send again for ever: after
// RefreshMarks::stale_time the refresh ends as if the EoRR had come.
TEST(RouteSlices, ARouteRefreshWithoutEoRREndsAfterTheStaleTime) {
  Harness h;
  const IpAddress gateway = IpAddress::v4(10, 0, 0, 2);
  auto [peer, c] = h.establish("p", gateway, 0x0a000002, /*enhanced_route_refresh=*/true);
  h.feed(peer, c, table(0x0b000000, 300, gateway));
  while (h.speaker.process_pending(h.now, 4096)) {
  }
  std::vector<uint8_t> refresh = encode(RouteRefresh{AfiSafi::unicast(Family::ipv4), RouteRefresh::begin_of_rib});
  const std::vector<uint8_t> again = table(0x0b000000, 200, gateway);
  refresh.insert(refresh.end(), again.begin(), again.end());
  h.feed(peer, c, refresh);
  while (h.speaker.process_pending(h.now, 4096)) {
  }
  EXPECT_EQ(h.speaker.loc_rib_prefixes(), 300u);
  EXPECT_LE(h.speaker.next_deadline(), h.now + RefreshMarks::stale_time);

  // Keepalives keep the session up; the refresh's time runs out.
  const Time end = h.now + RefreshMarks::stale_time + Duration::seconds(1);
  while (h.now < end) {
    h.now = std::min(end, h.now + Duration::seconds(1));
    h.feed(peer, c, encode(Keepalive{}));
    if (h.speaker.next_deadline() <= h.now) h.speaker.on_timer(h.now);
    while (h.speaker.process_pending(h.now, 4096)) {
    }
  }
  h.take();
  EXPECT_EQ(h.speaker.neighbor(peer)->state, SessionState::established);
  EXPECT_EQ(h.speaker.loc_rib_prefixes(), 200u);
}
