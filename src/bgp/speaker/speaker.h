// The BGP speaker: every neighbour's Session, the RIBs, policy and the
// decision process wired together, sans-IO.
//
// Data flows one way (ARCHITECTURE.md): bytes → session → import policy →
// Adj-RIB-In → decision (best + multipath) → forwarding changes and, through
// export policy and Adj-RIB-Out, UPDATEs to the other neighbours.
//
// Behaviour, with the rules it follows:
//  - Configured networks are originated as local paths (ORIGIN IGP, empty
//    AS_PATH) and announced to every neighbour export policy allows.
//  - On Established the Adj-RIB-Out is sent, then End-of-RIB per negotiated
//    family (RFC 4724 §2). Updates are grouped by attribute set, many NLRI
//    per UPDATE, split to the negotiated message size (RFC 8654).
//  - eBGP export: own AS prepended, NEXT_HOP set to our address on the
//    session (RFC 4271 §5.1.3), LOCAL_PREF removed (§5.1.5), MED not passed
//    on from another AS (§5.1.4) unless export policy sets one,
//    ORIGINATOR_ID/CLUSTER_LIST removed (RFC 4456 §8). iBGP routes are not
//    sent to iBGP neighbours (no route reflection), and a route is never
//    sent back to the neighbour it came from.
//  - Import: a path with our own AS in AS_PATH (more than allowas_in times)
//    is ignored (§9.1.2); RFC 7606 treat-as-withdraw withdraws the UPDATE's
//    NLRI and keeps the session; RFC 8212 default deny for eBGP without a
//    policy, logged once per neighbour.
//  - Received UPDATEs are decoded at once (hold timer, keepalives and
//    NOTIFICATIONs never wait) but queued per neighbour (route_inbox.h);
//    process_pending() does the route work in bounded slices, round-robin
//    over the neighbours, so the driver serves timers and sockets between
//    slices (ARCHITECTURE.md "Liveness never waits for route processing").
//  - A session going down emits NextHopDown for its next hops at once, so a
//    FIB with shared next-hop groups moves every prefix in one write; the
//    per-prefix withdrawals follow in slices. Until they are done, its
//    stale paths are never handed to the FIB again.
//  - Exporting the whole table to one neighbour (session up, export policy
//    or next-hop-self changed, route refresh) is sliced the same way, so a
//    session coming up next to a full table does not stall the others. A
//    changed export sends the whole table again (adj_rib_out.h).
//  - Max-prefix per family (warn, or tear down and optionally restart).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgp/decision/decision_process.h"
#include "bgp/rib/adj_rib_in.h"
#include "bgp/rib/adj_rib_out.h"
#include "bgp/rib/attribute_store.h"
#include "bgp/rib/loc_rib.h"
#include "bgp/rib/peer.h"
#include "bgp/session/session.h"
#include "bgp/speaker/speaker_actions.h"
#include "bgp/speaker/speaker_config.h"

namespace halink::bgp {

// A read-only view of one neighbour for `halink show neighbors`.
struct NeighborView {
  PeerId id = 0;
  std::string name;
  IpAddress address;
  std::string interface;
  uint32_t remote_as = 0;
  SessionState state = SessionState::idle;
  Time state_since;
  std::string last_down;  // why it last went down; empty if never
  uint32_t remote_id = 0;
  Duration hold_time;     // negotiated, while Established
  Duration keepalive_time;
  size_t received_prefixes = 0;  // accepted by import policy (post-policy Adj-RIB-In)
  size_t queued_prefixes = 0;    // received or withdrawn, not processed yet (route_inbox.h)
  size_t advertised_prefixes = 0;
  bool rfc8212_blocked = false;  // eBGP without policy: nothing accepted/announced
  SessionCounters counters;
  // What both OPENs decided (capabilities, timers); set while Established.
  std::optional<Negotiated> negotiated;
  // Prefix counts per family for `show summary`. `received` counts the
  // routes as the peer sent them and is known only when soft reconfiguration
  // keeps the pre-policy copy; `accepted` passed import policy.
  struct PrefixCounts {
    std::optional<size_t> received;
    size_t accepted = 0;
    size_t advertised = 0;
  };
  PrefixCounts ipv4_prefixes;
  PrefixCounts ipv6_prefixes;
};

// One route in a neighbour's Adj-RIB-In or Adj-RIB-Out, for
// `halink show routes --received-from / --advertised-to`.
struct AdjRibRouteView {
  Prefix prefix;
  PathAttributes attributes;  // as received (Adj-RIB-In) or as sent (Adj-RIB-Out)
  bool accepted = false;      // Adj-RIB-In: passed import policy
  bool best = false;          // Adj-RIB-In: this peer's path is the Loc-RIB best
  bool multipath = false;     // Adj-RIB-In: this peer's path is in the ECMP set
};
struct AdjRibView {
  // Adj-RIB-In only: true when these are the routes as received (soft
  // reconfiguration keeps them), false when they are the accepted routes
  // after import policy (rejected ones are not kept).
  bool pre_policy = false;
  std::vector<AdjRibRouteView> routes;  // sorted by prefix
};

// One path of a prefix for `halink show routes`.
struct RouteView {
  Prefix prefix;
  struct PathView {
    PeerId peer = 0;  // 0: originated here
    std::string from;  // neighbour name or "local"
    PathAttributes attributes;
    bool best = false;
    bool multipath = false;
  };
  std::vector<PathView> paths;
  std::vector<fib::NextHop> next_hops;
};

class Speaker {
public:
  using RandomSource = Session::RandomSource;

  Speaker(SpeakerConfig config, RandomSource random);
  ~Speaker();
  Speaker(const Speaker&) = delete;
  Speaker& operator=(const Speaker&) = delete;

  // ---- Configuration.
  PeerId add_neighbor(Time now, NeighborSettings settings);
  // Cease / Peer De-configured (RFC 4486) and every route of it withdrawn.
  void remove_neighbor(Time now, PeerId peer);
  // Only the policy changed: re-evaluates imports (from the pre-policy copy,
  // or by asking for a ROUTE-REFRESH) if the import side changed, and sends
  // the table again if the export policy changed; the session stays up.
  void update_policy(Time now, PeerId peer, NeighborPolicy policy);
  // next_hop_self switched on or off: exports re-run, the session stays up.
  void set_next_hop_self(Time now, PeerId peer, bool next_hop_self);
  // passive, connect_retry, keepalive or the idle hold changed: those of
  // `fresh` apply to the running session (Session::update_live_settings), no reset.
  void update_session_settings(Time now, PeerId peer, const SessionConfig& fresh);
  void set_networks(Time now, std::vector<Prefix> networks);
  std::optional<PeerId> find_neighbor(const std::string& name) const;
  const NeighborSettings* settings(PeerId peer) const;
  std::vector<PeerId> neighbor_ids() const;

  // ---- Administrative events.
  void start(Time now);  // starts every neighbour not configured as shut down
  void shutdown_neighbor(Time now, PeerId peer, const std::string& message);
  void enable_neighbor(Time now, PeerId peer);
  void reset_neighbor(Time now, PeerId peer, const std::string& message);
  void request_refresh(Time now, PeerId peer);  // ROUTE-REFRESH towards the peer
  // Operator's inbound soft refresh: import policy re-run from the
  // pre-policy copy, or a ROUTE-REFRESH when no copy is kept (RFC 2918).
  void refresh_in(Time now, PeerId peer);
  // Operator's outbound soft refresh: export policy re-run over the Loc-RIB
  // and the whole Adj-RIB-Out sent again, End-of-RIB after it (as for a
  // peer's ROUTE-REFRESH, RFC 2918 §4).
  void refresh_out(Time now, PeerId peer);
  // BFD said the path to the peer is down: the session goes down at once and
  // stays down until bfd_up() (a hold-down, so BGP does not re-establish
  // over a path BFD considers dead).
  void bfd_down(Time now, PeerId peer, const std::string& diagnostic);
  void bfd_up(Time now, PeerId peer);
  // The interface the peer is reached through went down or came back (fast
  // external fall-over).
  void interface_down(Time now, const std::string& interface);
  void interface_up(Time now, const std::string& interface);

  // ---- Transport events for a neighbour's connections.
  ConnectionId on_incoming(Time now, PeerId peer, const IpAddress& local_address);
  void on_connected(Time now, PeerId peer, ConnectionId connection, const IpAddress& local_address);
  void on_bytes(Time now, PeerId peer, ConnectionId connection, std::span<const uint8_t> bytes);
  void on_closed(Time now, PeerId peer, ConnectionId connection);

  // ---- Route processing in slices.
  // Works through at most about `budget` prefixes of queued UPDATEs and
  // peer-down withdrawals (whole UPDATEs: one may overshoot by its size),
  // then emits the resulting RouteChanges and UPDATEs. Returns whether work
  // remains. A driver with nothing else to serve (the simulator) passes
  // unlimited_budget.
  static constexpr size_t unlimited_budget = ~size_t(0);
  bool process_pending(Time now, size_t budget);
  bool has_pending() const;
  // Prefixes queued for the neighbour, not processed yet: the driver stops
  // reading its connection while this is above its bound.
  size_t pending_prefixes(PeerId peer) const;

  // ---- Timers.
  void on_timer(Time now);
  Time next_deadline() const;

  // ---- Output.
  std::vector<SpeakerAction> take_actions();

  // ---- Inspection.
  std::vector<NeighborView> neighbors() const;
  std::optional<NeighborView> neighbor(PeerId peer) const;
  std::vector<RouteView> routes(std::optional<Family> family = std::nullopt) const;
  std::optional<RouteView> route(const Prefix& prefix) const;
  // A neighbour's Adj-RIB-In (see AdjRibView::pre_policy) and Adj-RIB-Out.
  std::optional<AdjRibView> received_routes(PeerId peer, std::optional<Family> family = std::nullopt) const;
  std::optional<AdjRibView> advertised_routes(PeerId peer, std::optional<Family> family = std::nullopt) const;
  // The forwarding state the speaker wants: every prefix with next hops.
  std::vector<fib::RouteChange> forwarding_table() const;
  size_t attribute_sets() const { return attributes_.size(); }
  size_t loc_rib_prefixes() const { return loc_rib_.prefix_count(); }

private:
  struct Neighbor;
  struct PendingOut;
  struct TableExport;
  struct ExportMemo;
  struct Exported;

  Neighbor* find(PeerId peer);
  const Neighbor* find(PeerId peer) const;
  void drain_session(Time now, Neighbor& n);
  void on_established(Time now, Neighbor& n, const Negotiated& negotiated);
  void on_down(Time now, Neighbor& n, const session::Down& down);
  void on_update(Time now, Neighbor& n, session::ReceivedUpdate& received);
  void on_refresh_marker(Time now, Neighbor& n, const RouteRefresh& marker);
  void on_route_refresh(Time now, Neighbor& n, const RouteRefresh& refresh);
  void import_nlri(Neighbor& n, const NlriList& nlri, const AttrSetRef& received, const PathAttributes& attrs);
  void withdraw_nlri(Neighbor& n, const NlriList& nlri);
  // The attributes the import policy makes of a received path; null when rejected.
  AttrSetRef imported_attributes(Neighbor& n, const Prefix& prefix, const AttrSetRef& received);
  void withdraw_path(Neighbor& n, const Prefix& prefix);
  void prefetch_route(const Prefix& prefix) const;
  void withdraw_all_from(Neighbor& n);
  bool withdraw_slice(Neighbor& n, size_t max_prefixes);  // true when none is left
  void check_max_prefix(Time now, Neighbor& n, Family family);
  void reapply_import(Time now, Neighbor& n);
  void mark_changed(const Prefix& prefix, const RouteChange& change);
  void originate_networks();
  void export_prefix(Neighbor& to, const Prefix& prefix, const PathList* paths);
  Exported export_attributes(Neighbor& to, const Prefix& prefix, const Path& best);
  bool exports_alike(const Neighbor& to, AdjRibOut::SentSource sent, const Path& best) const;
  // What export makes of a path of `from` with these attributes; nullopt: not announced.
  std::optional<PathAttributes> exported_attributes(const Neighbor& to, const Prefix& prefix,
                                                    const AttrSetRef& attributes, PeerId from) const;
  void resend_table(Time now, Neighbor& n, std::optional<Family> family, bool end_of_rib);
  void begin_table_export(Neighbor& to, std::optional<Family> family, std::vector<AfiSafi> end_of_rib,
                          std::vector<Prefix> stale, std::vector<AfiSafi> end_of_refresh = {});
  size_t export_table_slice(Time now, Neighbor& to, size_t max_prefixes);  // prefixes walked
  void flush(Time now);
  void flush_neighbor(Time now, Neighbor& n);
  fib::NextHop fib_next_hop(const NextHop& hop) const;
  void log(speaker::LogLevel level, PeerId peer, std::string text);
  bool peer_usable(const Neighbor& n) const;

  SpeakerConfig config_;
  RandomSource random_;
  AttributeStore attributes_;
  PeerTable peers_;
  LocRib loc_rib_;
  DecisionProcess decision_;
  std::map<PeerId, std::unique_ptr<Neighbor>> neighbors_;
  PeerId next_peer_id_ = 1;  // 0 is the local (originating) pseudo-peer
  std::vector<Prefix> originated_;
  // Prefixes whose forwarding changed during the current input.
  std::vector<Prefix> fib_dirty_;
  std::vector<SpeakerAction> actions_;
};

}  // namespace halink::bgp
