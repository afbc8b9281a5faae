#include "bgp/speaker/speaker.h"

#include <algorithm>
#include <cassert>
#include <unordered_map>

#include "bgp/speaker/export_rules.h"
#include "bgp/speaker/refresh_marks.h"
#include "bgp/speaker/route_inbox.h"
#include "bgp/policy/policy_evaluator.h"
#include "bgp/rib/flat_table.h"
#include "bgp/wire/update_codec.h"

namespace halink::bgp {

using speaker::LogLevel;

// What a best path becomes towards one neighbour: its attributes as export
// built them, null when not announced (policy, no next hop, not allowed).
struct Speaker::Exported {
  std::shared_ptr<const PathAttributes> attributes;
};

// Routes waiting to be sent to one neighbour, grouped so that one UPDATE
// carries every prefix leaving with the same attributes: by the best path
// they were exported from (see AdjRibOut) and the family, and, when export
// policy reads the prefix, by the attributes themselves.
// Groups keep their creation order so the bytes sent do not depend on
// where attribute sets happen to live in memory (the simulator's traces
// must be reproducible). A prefix may sit in several groups and in the
// withdrawals; at flush time only what matches the Adj-RIB-Out is sent.
struct Speaker::PendingOut {
  struct Group {
    ExportSource source;  // holds the set, so its address is not reused while pending
    Family family = Family::ipv4;
    std::shared_ptr<const PathAttributes> attributes;
  };
  // Flat vectors kept from flush to flush (clear() keeps their capacity): a
  // table load adds a group per received UPDATE, and a vector (or a map
  // node) per group was an allocation each.
  std::vector<Group> groups;
  std::vector<std::pair<uint32_t, Prefix>> announce;
  std::vector<Prefix> withdraw;

  void add(const ExportSource& source, const Exported& exported, const Prefix& prefix) {
    announce.emplace_back(group_of(source, prefix.family(), exported), prefix);
  }
  bool empty() const { return announce.empty() && withdraw.empty(); }
  // The table is about to be exported again: what is pending of `family`
  // (every family: nullopt) will be exported anew.
  void drop_announcements(std::optional<Family> family) {
    std::erase_if(announce, [&](const auto& a) { return !family || a.second.family() == *family; });
  }
  void clear() {
    groups.clear();
    announce.clear();
    withdraw.clear();
    index_.clear();
  }

private:
  // A group found by its source (the RIB's hash table); several groups share
  // a source when export policy made different attributes of it per prefix.
  struct GroupSlot {
    const AttrSet* set = nullptr;
    uint32_t group = 0;
    uint64_t hash = 0;
  };
  struct GroupSlotTraits {
    static bool is_empty(const GroupSlot& slot) { return slot.set == nullptr; }
    static void clear(GroupSlot& slot) { slot.set = nullptr; }
    static uint64_t hash(const GroupSlot& slot) { return slot.hash; }
  };
  FlatTable<GroupSlot, GroupSlotTraits> index_;

  uint32_t group_of(const ExportSource& source, Family family, const Exported& exported) {
    const AttrSet* set = source.attributes.get();
    const uint64_t hash = reinterpret_cast<uintptr_t>(set) ^ (uint64_t(source.from) << 32) ^ uint64_t(family);
    auto same = [&](const GroupSlot& s) {
      const Group& g = groups[s.group];
      return s.set == set && g.source.from == source.from && g.family == family &&
             (g.attributes == exported.attributes || *g.attributes == *exported.attributes);
    };
    auto [slot, inserted] = index_.find_or_insert(hash, same);
    if (inserted) {
      *slot = GroupSlot{set, uint32_t(groups.size()), hash};
      groups.push_back(Group{source, family, exported.attributes});
    }
    return slot->group;
  }
};

// A walk exporting the Loc-RIB to one neighbour, done in slices by
// process_pending() like received UPDATEs: a session coming up next to a
// million routes must not hold up the keepalives and BFD of the others.
// The walk goes over a snapshot of the Loc-RIB's prefixes taken when it
// began; whatever changes during the walk is also exported by flush() as
// usual, and the Adj-RIB-Out turns a repeated export into nothing.
struct Speaker::TableExport {
  std::vector<Prefix> prefixes;
  size_t next = 0;
  // RFC 4724 §2: End-of-RIB follows the initial table (and, for a peer
  // without Enhanced Route Refresh, a whole table sent again).
  std::vector<AfiSafi> end_of_rib;
  // RFC 7313 §4: EoRR ends a whole table sent again after a BoRR.
  std::vector<AfiSafi> end_of_refresh;
  // Sent before (route refresh, refresh out): withdrawn at the end unless
  // exported again, so the neighbour drops what export no longer allows.
  std::vector<Prefix> stale;
};

// What the best paths exported between two flushes become towards one
// neighbour. Prefixes whose best paths share an attribute set, the peer it
// came from and the family leave with the same attributes, unless the
// neighbour's export policy matches on the prefix itself; so
// prepare_export, export policy and finish_export run once per attribute
// set instead of once per prefix (a full table has about 3.5 prefixes per
// set). A direct-mapped table of fixed size, kept per neighbour: no
// allocation per entry or per batch, and a collision only costs one more
// export. Entries hold the source set, so its address is not reused while
// they live; the table is emptied by every flush and whenever the
// neighbour's export settings change.
struct Speaker::ExportMemo {
  struct Key {
    const AttrSet* set = nullptr;
    PeerId from = 0;
    Family family = Family::ipv4;
    bool operator==(const Key&) const = default;
  };
  struct Entry {
    Key key;
    AttrSetRef source;  // null: the slot is empty
    Exported exported;  // null set: not announced (policy, no next hop, not allowed)
  };
  static constexpr size_t slot_count = 1024;

  bool active = false;            // begun since the last clear()
  bool by_attribute_set = false;  // false: the policy reads the prefix, no sharing
  std::vector<Entry> entries;     // slot_count long once used
  std::vector<uint16_t> used;     // slots filled in this batch

  static size_t slot_of(const Key& k) {
    uint64_t h = (reinterpret_cast<uintptr_t>(k.set) ^ (uint64_t(k.from) << 32) ^ uint64_t(k.family)) *
                 0x9e3779b97f4a7c15ull;
    return size_t(h >> 54);  // the top 10 bits: slot_count slots
  }
  void begin(const NeighborPolicy& policy) {
    clear();
    active = true;
    by_attribute_set = !export_reads_prefix(policy);
  }
  const Exported* find(const Key& k) const {
    if (!by_attribute_set || entries.empty()) return nullptr;
    const Entry& e = entries[slot_of(k)];
    return e.source && e.key == k ? &e.exported : nullptr;
  }
  void store(const Key& k, const AttrSetRef& source, const Exported& exported) {
    if (!by_attribute_set) return;
    if (entries.empty()) entries.resize(slot_count);
    const size_t slot = slot_of(k);
    if (!entries[slot].source) used.push_back(uint16_t(slot));
    entries[slot] = Entry{k, source, exported};
  }
  void clear() {
    for (uint16_t slot : used) entries[slot] = Entry{};
    used.clear();
    active = false;
  }
};
struct Speaker::Neighbor {
  PeerId id = 0;
  NeighborSettings settings;
  Session session;
  AdjRibIn rib_in;
  AdjRibOut rib_out;
  PendingOut pending;
  ExportMemo export_memo;
  RouteInbox inbox;
  RefreshMarks refresh_marks;  // the peer's Enhanced Route Refresh in progress
  std::optional<TableExport> table_export;
  std::optional<Negotiated> negotiated;  // while Established
  std::optional<IpAddress> learned_local_address;
  Time state_since;
  std::string last_down;
  bool bfd_held_down = false;       // BFD says the path is dead
  bool interface_held_down = false; // the tunnel interface is down
  bool admin_down = false;
  bool rfc8212_logged = false;
  bool max_prefix_warned[2] = {false, false};

  Neighbor(PeerId peer, NeighborSettings s, Session::RandomSource random, const LocRib& loc_rib)
      : id(peer),
        settings(std::move(s)),
        session(settings.session, std::move(random)),
        rib_in(loc_rib, peer, settings.soft_reconfiguration_inbound),
        rib_out(peer) {}

  bool ebgp() const { return settings.session.remote_as != settings.session.local_as; }
  bool established() const { return negotiated.has_value(); }
  bool has_family(Family f) const { return negotiated && negotiated->has_family(AfiSafi::unicast(f)); }
  std::optional<IpAddress> local_address(Family f) const {
    if (settings.local_address && settings.local_address->family() == f) return settings.local_address;
    if (learned_local_address && learned_local_address->family() == f) return learned_local_address;
    if (settings.local_address_other_family && settings.local_address_other_family->family() == f)
      return settings.local_address_other_family;
    return std::nullopt;
  }
};

namespace {
constexpr PeerId local_peer = 0;
int family_index(Family f) { return f == Family::ipv4 ? 0 : 1; }
// Withdrawals of a session that went down are taken in chunks of this size
// per round-robin turn, about the size of one full UPDATE's NLRI, so
// another neighbour's UPDATEs are not starved behind a million of them.
constexpr size_t withdrawal_turn = 1024;
// The same for exporting the table to a neighbour that came up.
constexpr size_t table_export_turn = 1024;
// How many prefixes ahead prefetch_route() asks for.
constexpr size_t prefetch_distance = 4;
}  // namespace

Speaker::Speaker(SpeakerConfig config, RandomSource random)
    : config_(std::move(config)), random_(std::move(random)), decision_(loc_rib_, peers_, config_.decision) {
  PeerInfo local;
  local.id = local_peer;
  local.local = true;
  local.ebgp = false;
  local.remote_as = config_.local_as;
  local.router_id = config_.router_id;
  peers_.upsert(local);
  originate_networks();
  fib_dirty_.clear();  // nothing to forward for our own networks
}

Speaker::~Speaker() = default;

// ---------------------------------------------------------------- configuration

PeerId Speaker::add_neighbor(Time now, NeighborSettings settings) {
  PeerId id = next_peer_id_++;
  settings.session.local_as = config_.local_as;
  settings.session.router_id = config_.router_id;
  auto n = std::make_unique<Neighbor>(id, std::move(settings), random_, loc_rib_);
  n->state_since = now;
  n->admin_down = n->settings.shutdown;
  PeerInfo info;
  info.id = id;
  info.remote_as = n->settings.session.remote_as;
  info.address = n->settings.address;
  info.ebgp = n->ebgp();
  info.interface = n->settings.interface;
  peers_.upsert(info);
  neighbors_.emplace(id, std::move(n));
  return id;
}

void Speaker::remove_neighbor(Time now, PeerId peer) {
  Neighbor* n = find(peer);
  if (!n) return;
  n->session.stop(now, "neighbor removed from the configuration");
  drain_session(now, *n);
  withdraw_all_from(*n);
  flush(now);
  neighbors_.erase(peer);
  peers_.remove(peer);
}

void Speaker::update_policy(Time now, PeerId peer, NeighborPolicy policy) {
  Neighbor* n = find(peer);
  if (!n) return;
  // Each side is re-run only when it changed: re-running import without a
  // pre-policy copy asks the peer for its whole table (ROUTE-REFRESH).
  NeighborPolicy import_side = n->settings.policy;
  import_side.export_policy = policy.export_policy;
  const bool import_changed = !(import_side == policy);
  const bool export_changed = n->settings.policy.export_policy != policy.export_policy;
  n->settings.policy = std::move(policy);
  n->export_memo.clear();
  n->rfc8212_logged = false;
  if (import_changed) reapply_import(now, *n);
  if (export_changed && n->established()) resend_table(now, *n, std::nullopt, false);
  flush(now);
}

void Speaker::set_next_hop_self(Time now, PeerId peer, bool next_hop_self) {
  Neighbor* n = find(peer);
  if (!n || n->settings.next_hop_self == next_hop_self) return;
  n->settings.next_hop_self = next_hop_self;
  n->export_memo.clear();
  if (n->established()) resend_table(now, *n, std::nullopt, false);
  flush(now);
}

void Speaker::update_session_settings(Time now, PeerId peer, const SessionConfig& fresh) {
  Neighbor* n = find(peer);
  if (!n) return;
  take_live_settings(n->settings.session, fresh);
  n->session.update_live_settings(now, fresh);
  // The speaker's copy of what the session negotiated follows the session's.
  if (n->negotiated && n->session.negotiated()) n->negotiated->keepalive_time = n->session.negotiated()->keepalive_time;
  drain_session(now, *n);
}

void Speaker::set_networks(Time now, std::vector<Prefix> networks) {
  for (const Prefix& p : originated_) {
    if (std::find(networks.begin(), networks.end(), p) == networks.end()) mark_changed(p, decision_.withdraw(p, local_peer));
  }
  config_.networks = std::move(networks);
  originate_networks();
  flush(now);
}

void Speaker::originate_networks() {
  PathAttributes attrs;
  attrs.origin = Origin::igp;
  attrs.as_path = AsPath{};
  AttrSetRef ref = attributes_.intern(std::move(attrs));
  for (const Prefix& p : config_.networks) mark_changed(p, decision_.update(p, local_peer, ref));
  originated_ = config_.networks;
}

std::optional<PeerId> Speaker::find_neighbor(const std::string& name) const {
  for (auto& [id, n] : neighbors_)
    if (n->settings.name == name) return id;
  return std::nullopt;
}

const NeighborSettings* Speaker::settings(PeerId peer) const {
  const Neighbor* n = find(peer);
  return n ? &n->settings : nullptr;
}

std::vector<PeerId> Speaker::neighbor_ids() const {
  std::vector<PeerId> ids;
  for (auto& [id, n] : neighbors_) ids.push_back(id);
  return ids;
}

Speaker::Neighbor* Speaker::find(PeerId peer) {
  auto it = neighbors_.find(peer);
  return it == neighbors_.end() ? nullptr : it->second.get();
}

const Speaker::Neighbor* Speaker::find(PeerId peer) const {
  auto it = neighbors_.find(peer);
  return it == neighbors_.end() ? nullptr : it->second.get();
}

// ---------------------------------------------------------------- administration

bool Speaker::peer_usable(const Neighbor& n) const {
  return !n.admin_down && !n.bfd_held_down && !n.interface_held_down;
}

void Speaker::start(Time now) {
  for (auto& [id, n] : neighbors_) {
    if (peer_usable(*n)) n->session.start(now);
    drain_session(now, *n);
  }
  flush(now);
}

void Speaker::shutdown_neighbor(Time now, PeerId peer, const std::string& message) {
  Neighbor* n = find(peer);
  if (!n) return;
  n->admin_down = true;
  n->session.stop(now, message);
  drain_session(now, *n);
  flush(now);
}

void Speaker::enable_neighbor(Time now, PeerId peer) {
  Neighbor* n = find(peer);
  if (!n) return;
  n->admin_down = false;
  if (peer_usable(*n)) n->session.start(now);
  drain_session(now, *n);
  flush(now);
}

void Speaker::reset_neighbor(Time now, PeerId peer, const std::string& message) {
  Neighbor* n = find(peer);
  if (!n) return;
  n->session.reset(now, message);
  drain_session(now, *n);
  flush(now);
}

void Speaker::request_refresh(Time now, PeerId peer) {
  Neighbor* n = find(peer);
  if (!n || !n->established() || !n->negotiated->route_refresh) return;
  for (const AfiSafi& family : n->negotiated->families)
    (void)n->session.send_route_refresh(now, RouteRefresh{family, RouteRefresh::normal});
  drain_session(now, *n);
}

void Speaker::refresh_in(Time now, PeerId peer) {
  Neighbor* n = find(peer);
  if (!n) return;
  reapply_import(now, *n);
  flush(now);
}

void Speaker::refresh_out(Time now, PeerId peer) {
  Neighbor* n = find(peer);
  if (!n || !n->established()) return;
  resend_table(now, *n, std::nullopt, true);
  flush(now);
}

void Speaker::bfd_down(Time now, PeerId peer, const std::string& diagnostic) {
  Neighbor* n = find(peer);
  if (!n) return;
  n->bfd_held_down = true;
  n->session.bfd_down(now, diagnostic);
  // Hold-down: the session must not come back while BFD says the path is dead.
  n->session.stop(now, {});
  drain_session(now, *n);
  flush(now);
}

void Speaker::bfd_up(Time now, PeerId peer) {
  Neighbor* n = find(peer);
  if (!n || !n->bfd_held_down) return;
  n->bfd_held_down = false;
  if (peer_usable(*n)) n->session.start(now);
  drain_session(now, *n);
  flush(now);
}

void Speaker::interface_down(Time now, const std::string& interface) {
  for (auto& [id, n] : neighbors_) {
    if (n->settings.interface != interface || n->interface_held_down) continue;
    n->interface_held_down = true;
    n->session.stop(now, "interface " + interface + " down");
    drain_session(now, *n);
  }
  flush(now);
}

void Speaker::interface_up(Time now, const std::string& interface) {
  for (auto& [id, n] : neighbors_) {
    if (n->settings.interface != interface || !n->interface_held_down) continue;
    n->interface_held_down = false;
    if (peer_usable(*n)) n->session.start(now);
    drain_session(now, *n);
  }
  flush(now);
}

// ---------------------------------------------------------------- transport

ConnectionId Speaker::on_incoming(Time now, PeerId peer, const IpAddress& local_address) {
  Neighbor* n = find(peer);
  assert(n);
  n->learned_local_address = local_address;
  ConnectionId id = n->session.on_incoming(now);
  drain_session(now, *n);
  flush(now);
  return id;
}

void Speaker::on_connected(Time now, PeerId peer, ConnectionId connection, const IpAddress& local_address) {
  Neighbor* n = find(peer);
  if (!n) return;
  n->learned_local_address = local_address;
  n->session.on_connected(now, connection);
  drain_session(now, *n);
  flush(now);
}

void Speaker::on_bytes(Time now, PeerId peer, ConnectionId connection, std::span<const uint8_t> bytes) {
  Neighbor* n = find(peer);
  if (!n) return;
  n->session.on_bytes(now, connection, bytes);
  drain_session(now, *n);
  flush(now);
}

void Speaker::on_closed(Time now, PeerId peer, ConnectionId connection) {
  Neighbor* n = find(peer);
  if (!n) return;
  n->session.on_closed(now, connection);
  drain_session(now, *n);
  flush(now);
}

void Speaker::on_timer(Time now) {
  for (auto& [id, n] : neighbors_) {
    if (n->session.next_deadline() <= now) {
      n->session.on_timer(now);
      drain_session(now, *n);
    }
    // A refresh whose EoRR did not come in time ends as if it had: queued
    // behind the UPDATEs already received, which may re-announce routes.
    for (Family family : n->refresh_marks.take_expired(now)) {
      log(LogLevel::warning, n->id,
          std::string("no EoRR for ") + family_name(family) + " within " +
              std::to_string(RefreshMarks::stale_time.s()) + " s of the BoRR: ending the route refresh");
      n->inbox.push(RouteRefresh{AfiSafi::unicast(family), RouteRefresh::end_of_rib});
    }
  }
  flush(now);
}

Time Speaker::next_deadline() const {
  Time t = Time::never();
  for (auto& [id, n] : neighbors_)
    t = earliest(t, earliest(n->session.next_deadline(), n->refresh_marks.next_deadline()));
  return t;
}

std::vector<SpeakerAction> Speaker::take_actions() {
  std::vector<SpeakerAction> out;
  out.swap(actions_);
  return out;
}

// ---------------------------------------------------------------- session events

void Speaker::drain_session(Time now, Neighbor& n) {
  // Handling one action may produce more (e.g. sending the table after Established).
  while (n.session.has_actions()) {
    for (SessionAction& action : n.session.take_actions()) {
      std::visit(
          [&](auto& a) {
            using A = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<A, session::SendBytes>) {
              actions_.push_back(speaker::SendBytes{n.id, a.connection, std::move(a.bytes)});
            } else if constexpr (std::is_same_v<A, session::Connect>) {
              actions_.push_back(speaker::Connect{n.id, a.connection});
            } else if constexpr (std::is_same_v<A, session::Close>) {
              actions_.push_back(speaker::Close{n.id, a.connection});
            } else if constexpr (std::is_same_v<A, session::Established>) {
              on_established(now, n, a.negotiated);
            } else if constexpr (std::is_same_v<A, session::Down>) {
              on_down(now, n, a);
            } else if constexpr (std::is_same_v<A, session::ReceivedUpdate>) {
              n.inbox.push(std::move(a));  // processed in slices: process_pending()
            } else if constexpr (std::is_same_v<A, session::ReceivedRouteRefresh>) {
              on_route_refresh(now, n, a.refresh);
            }
          },
          action);
    }
  }
}

void Speaker::on_established(Time now, Neighbor& n, const Negotiated& negotiated) {
  n.negotiated = negotiated;
  n.state_since = now;
  PeerInfo info = peers_[n.id];
  info.router_id = negotiated.remote_id;
  peers_.upsert(info);
  actions_.push_back(speaker::PeerUp{n.id, negotiated.to_string()});
  if (rfc8212_blocks_export(n.settings.policy, n.ebgp())) {
    log(LogLevel::warning, n.id,
        "no export policy: announcing nothing to this eBGP neighbour (RFC 8212); add `export:` to announce routes");
  }
  // RFC 4724 §2: End-of-RIB after the initial table, for every family.
  std::vector<AfiSafi> end_of_rib;
  for (const AfiSafi& family : negotiated.families)
    if (family.is_unicast()) end_of_rib.push_back(family);
  begin_table_export(n, std::nullopt, std::move(end_of_rib), {});
}

void Speaker::on_down(Time now, Neighbor& n, const session::Down& down) {
  n.last_down = down.text;
  n.state_since = now;
  if (!down.was_established) {
    n.inbox.clear();
    n.refresh_marks.clear();
    return;
  }
  n.negotiated.reset();
  actions_.push_back(speaker::PeerDown{n.id, down.reason, down.text});
  // Forwarding first: the decision process retires every path of the
  // session at once (none is selected again) and names their next hops, so
  // every route through them moves in one next-hop-group write; the
  // per-prefix withdrawals follow in slices (process_pending). UPDATEs of
  // the dead session still queued are dropped.
  n.inbox.clear();
  n.refresh_marks.clear();
  for (const NextHop& hop : decision_.begin_peer_withdrawal(n.id))
    if (config_.forwarding) actions_.push_back(speaker::NextHopDown{fib_next_hop(hop)});
  n.rib_in.clear_pre_policy();
  n.rib_out.clear();
  n.pending = {};
  n.export_memo.clear();
  n.table_export.reset();
}

void Speaker::withdraw_all_from(Neighbor& n) {
  n.inbox.clear();
  n.refresh_marks.clear();
  decision_.begin_peer_withdrawal(n.id);
  while (!withdraw_slice(n, withdrawal_turn)) {
  }
  n.rib_in.clear_pre_policy();
}

bool Speaker::withdraw_slice(Neighbor& n, size_t max_prefixes) {
  return decision_.withdraw_peer_slice(n.id, max_prefixes,
                                       [&](const Prefix& p, const RouteChange& change) { mark_changed(p, change); });
}

// ---------------------------------------------------------------- route processing

bool Speaker::process_pending(Time now, size_t budget) {
  size_t done = 0;
  bool progressed = true;
  // Round-robin, one UPDATE (or one chunk of withdrawals) per neighbour per
  // turn: a neighbour sending a full table does not starve the others.
  while (done < budget && progressed) {
    progressed = false;
    for (auto& [id, n] : neighbors_) {
      if (done >= budget) break;
      if (decision_.pending_withdrawals(id)) {
        // A slice scans about this many prefixes of the Loc-RIB, whether or
        // not they hold the peer's paths: that is the work to count.
        const size_t turn = std::min(budget - done, withdrawal_turn);
        withdraw_slice(*n, turn);
        done += turn;
        progressed = true;
      } else if (auto entry = n->inbox.pop()) {
        if (auto* received = std::get_if<session::ReceivedUpdate>(&*entry)) {
          done += RouteInbox::cost_of(received->update);
          on_update(now, *n, *received);
          drain_session(now, *n);  // max-prefix may have ended the session
        } else {
          done += 1;
          on_refresh_marker(now, *n, std::get<RouteRefresh>(*entry));
        }
        progressed = true;
      }
      if (n->table_export && done < budget) {
        done += std::max<size_t>(1, export_table_slice(now, *n, std::min(budget - done, table_export_turn)));
        progressed = true;
      }
    }
  }
  flush(now);
  return has_pending();
}

bool Speaker::has_pending() const {
  for (auto& [id, n] : neighbors_)
    if (!n->inbox.empty() || decision_.pending_withdrawals(id) || n->table_export) return true;
  return false;
}

size_t Speaker::pending_prefixes(PeerId peer) const {
  const Neighbor* n = find(peer);
  return n ? n->inbox.queued_prefixes() + decision_.pending_withdrawals(peer) : 0;
}

// ---------------------------------------------------------------- import

void Speaker::on_update(Time now, Neighbor& n, session::ReceivedUpdate& received) {
  Update& u = received.update;
  for (const DecodeProblem& p : received.problems)
    log(LogLevel::warning, n.id, std::string("UPDATE ") + error_action_name(p.action) + ": " + p.reason);
  if (n.refresh_marks.in_progress())
    for (const NlriList* routes : {&u.withdrawn, &u.mp_withdrawn, &u.nlri, &u.mp_nlri})
      for (const Prefix& p : routes->prefixes) n.refresh_marks.refreshed(p);
  withdraw_nlri(n, u.withdrawn);
  withdraw_nlri(n, u.mp_withdrawn);
  if (received.action == ErrorAction::treat_as_withdraw) {
    // RFC 7606 §2: the session stays up, the UPDATE's routes are gone.
    withdraw_nlri(n, u.nlri);
    withdraw_nlri(n, u.mp_nlri);
  } else if (!u.nlri.empty() || !u.mp_nlri.empty()) {
    // Interned once per UPDATE: every NLRI in it shares the received attributes.
    AttrSetRef received_attrs = attributes_.intern(u.attributes);
    import_nlri(n, u.nlri, received_attrs, u.attributes);
    import_nlri(n, u.mp_nlri, received_attrs, u.attributes);
  }
  check_max_prefix(now, n, Family::ipv4);
  check_max_prefix(now, n, Family::ipv6);
}

void Speaker::withdraw_nlri(Neighbor& n, const NlriList& nlri) {
  const std::vector<Prefix>& prefixes = nlri.prefixes;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (i + prefetch_distance < prefixes.size()) prefetch_route(prefixes[i + prefetch_distance]);
    withdraw_path(n, prefixes[i]);
  }
}

// In a full table every prefix's Loc-RIB and Adj-RIB-Out entries are cache
// misses; asking for those of a prefix a few ahead overlaps them.
void Speaker::prefetch_route(const Prefix& prefix) const {
  decision_.prefetch(prefix);
  for (auto& [id, n] : neighbors_)
    if (n->established()) n->rib_out.prefetch(prefix);
}

void Speaker::withdraw_path(Neighbor& n, const Prefix& prefix) {
  n.rib_in.withdraw_pre_policy(prefix);
  mark_changed(prefix, decision_.withdraw(prefix, n.id));
}

void Speaker::import_nlri(Neighbor& n, const NlriList& nlri, const AttrSetRef& received, const PathAttributes& attrs) {
  if (nlri.empty()) return;
  // RFC 4271 §9.1.2: a path carrying our own AS is a loop; it is not used
  // (and replaces, i.e. withdraws, an earlier path for the prefix).
  bool loop = attrs.as_path && attrs.as_path->count(config_.local_as) > n.settings.allowas_in;
  bool usable = !loop && attrs.next_hop.has_value();
  if (rfc8212_blocks_import(n.settings.policy, n.ebgp()) && !n.rfc8212_logged) {
    log(LogLevel::warning, n.id,
        "no import policy: ignoring every route from this eBGP neighbour (RFC 8212); add `import:` to accept routes");
    n.rfc8212_logged = true;
  }
  // One attribute set, many NLRI: unless a term matches on the prefix, the
  // import policy gives each the same verdict, so it runs once per UPDATE.
  std::optional<AttrSetRef> verdict_for_all;
  if (usable && !import_depends_on_prefix(n.settings.policy))
    verdict_for_all = imported_attributes(n, nlri.prefixes.front(), received);
  const std::vector<Prefix>& prefixes = nlri.prefixes;
  for (size_t i = 0; i < prefetch_distance && i < prefixes.size(); ++i) prefetch_route(prefixes[i]);
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (i + prefetch_distance < prefixes.size()) prefetch_route(prefixes[i + prefetch_distance]);
    const Prefix& prefix = prefixes[i];
    n.rib_in.update_pre_policy(prefix, received);
    AttrSetRef accepted;
    if (usable) accepted = verdict_for_all ? *verdict_for_all : imported_attributes(n, prefix, received);
    mark_changed(prefix, accepted ? decision_.update(prefix, n.id, accepted) : decision_.withdraw(prefix, n.id));
  }
}

AttrSetRef Speaker::imported_attributes(Neighbor& n, const Prefix& prefix, const AttrSetRef& received) {
  PolicyResult result =
      import_route(n.settings.policy, PolicyContext{config_.local_as, n.ebgp()}, prefix, received.attributes());
  if (!result.accepted) return {};
  return result.modified ? attributes_.intern(std::move(*result.modified)) : received;
}

void Speaker::reapply_import(Time now, Neighbor& n) {
  if (!n.established()) return;
  if (!n.rib_in.keeps_pre_policy()) {
    // Without a pre-policy copy the peer has to send its routes again (RFC 2918).
    request_refresh(now, n.id);
    return;
  }
  std::vector<std::pair<Prefix, AttrSetRef>> received;
  n.rib_in.for_each_pre_policy([&](const Prefix& p, const AttrSetRef& a) { received.emplace_back(p, a); });
  for (auto& [prefix, attrs] : received) {
    NlriList one;
    one.prefixes.push_back(prefix);
    import_nlri(n, one, attrs, attrs.attributes());
  }
}

void Speaker::check_max_prefix(Time now, Neighbor& n, Family family) {
  const std::optional<MaxPrefix>& limit = n.settings.policy.max_prefix(family);
  if (!limit || limit->limit == 0) return;
  size_t count = n.rib_in.size(family);
  bool& warned = n.max_prefix_warned[family_index(family)];
  if (count * 100 >= size_t(limit->limit) * limit->warning_threshold_percent && !warned) {
    warned = true;
    log(LogLevel::warning, n.id,
        std::to_string(count) + " " + family_name(family) + " prefixes reach " +
            std::to_string(limit->warning_threshold_percent) + "% of max-prefix " + std::to_string(limit->limit));
  }
  if (count * 100 < size_t(limit->limit) * limit->warning_threshold_percent) warned = false;
  if (count <= limit->limit) return;
  if (limit->warning_only) {
    log(LogLevel::warning, n.id, "max-prefix " + std::to_string(limit->limit) + " exceeded (" +
                                     std::to_string(count) + " " + family_name(family) + " prefixes), warning only");
    return;
  }
  std::optional<Duration> restart;
  if (!limit->restart_after.is_zero()) restart = limit->restart_after;
  n.session.max_prefix_exceeded(now, AfiSafi::unicast(family), limit->limit, restart);
}

void Speaker::on_route_refresh(Time now, Neighbor& n, const RouteRefresh& refresh) {
  // RFC 2918 §4: a family not negotiated is ignored.
  if (!refresh.afi_safi.is_unicast() || !n.has_family(refresh.afi_safi.family())) return;
  if (refresh.subtype == RouteRefresh::begin_of_rib || refresh.subtype == RouteRefresh::end_of_rib) {
    // RFC 7313 §4: the demarcation of the peer's re-sent table, acted on in
    // order with its UPDATEs (route_inbox.h). Meaningless without the
    // capability on both sides: ignored then.
    if (n.negotiated && n.negotiated->enhanced_route_refresh) n.inbox.push(refresh);
    return;
  }
  if (refresh.subtype != RouteRefresh::normal) return;  // RFC 7313 §5: unknown subtype
  // RFC 2918 §4: re-advertise the Adj-RIB-Out of that family.
  resend_table(now, n, refresh.afi_safi.family(), true);
  flush(now);
}

// RFC 7313 §4. At BoRR every route the peer announced in the family becomes
// stale; at EoRR those it did not announce or withdraw again are removed.
// The walk at BoRR goes over the whole Loc-RIB in one step: a refresh is
// rare and asked for by an operator, not part of a table load.
void Speaker::on_refresh_marker(Time now, Neighbor& n, const RouteRefresh& marker) {
  const Family family = marker.afi_safi.family();
  if (marker.subtype == RouteRefresh::begin_of_rib) {
    // Everything the peer announced: the pre-policy copy when kept, else
    // its paths in the Loc-RIB (what import rejected is not held anywhere).
    std::vector<Prefix> routes;
    if (n.rib_in.keeps_pre_policy()) {
      n.rib_in.for_each_pre_policy([&](const Prefix& p, const AttrSetRef&) {
        if (p.family() == family) routes.push_back(p);
      });
    } else {
      loc_rib_.for_each([&](const Prefix& p, PathList& paths) {
        const Path* path = p.family() == family ? paths.find(n.id) : nullptr;
        if (path && loc_rib_.is_current(*path)) routes.push_back(p);
      });
    }
    n.refresh_marks.begin(now, family, routes);
    return;
  }
  const std::vector<Prefix> stale = n.refresh_marks.end(family);
  for (const Prefix& p : stale) withdraw_path(n, p);
  if (!stale.empty())
    log(LogLevel::info, n.id,
        std::string("route refresh of ") + family_name(family) + " ended: " + std::to_string(stale.size()) +
            " routes not sent again removed (RFC 7313)");
}

// ---------------------------------------------------------------- decision → outputs

void Speaker::mark_changed(const Prefix& prefix, const RouteChange& change) {
  if (change.next_hops_changed && config_.forwarding) fib_dirty_.push_back(prefix);
  if (!change.best_changed) return;
  // Exported at once, while the prefix's entry is still in the cache:
  // collecting the prefixes to sort, deduplicate and look up again at flush
  // time was a fifth of the daemon's CPU in the full-table benchmark. A
  // prefix exported twice before the flush is sent once
  // (AdjRibOut::take_queued).
  const PathList* paths = nullptr;
  bool looked_up = false;
  for (auto& [id, n] : neighbors_) {
    if (!n->established()) continue;
    if (!looked_up) {
      paths = loc_rib_.find(prefix);
      looked_up = true;
    }
    export_prefix(*n, prefix, paths);
  }
}

fib::NextHop Speaker::fib_next_hop(const NextHop& hop) const {
  fib::NextHop out;
  out.gateway = hop.gateway;
  if (const PeerInfo* p = peers_.find(hop.peer)) out.interface = p->interface;
  return out;
}

void Speaker::export_prefix(Neighbor& to, const Prefix& prefix, const PathList* paths) {
  if (!to.has_family(prefix.family())) return;
  const Path* best = paths ? paths->best() : nullptr;
  // A new best path that exports to the advertisement the peer has: send
  // nothing (FRR's suppress-duplicates). Another tunnel's path to the same
  // prefix becoming best, when the first tunnel goes down or comes up, is
  // the common case: the same attributes with its own next hop.
  if (best && exports_alike(to, to.rib_out.sent_source(prefix), *best)) {
    to.rib_out.replace_sent_source(prefix, ExportSource{best->attributes, best->peer});
    return;
  }
  Exported out = best ? export_attributes(to, prefix, *best) : Exported{};
  if (out.attributes) {
    ExportSource source{best->attributes, best->peer};
    if (to.rib_out.announce(prefix, source)) to.pending.add(source, out, prefix);
  } else if (to.rib_out.withdraw(prefix)) {
    to.pending.withdraw.push_back(prefix);
  }
}

// Whether `best` exports to what was sent from `sent`, known without
// exporting either: export policy reads neither the next hop nor the source
// peer (policy.h), so two sets that differ only in NEXT_HOP export alike
// when our own address replaces it for every source (eBGP, next-hop-self,
// RFC 4271 §5.1.3) and the two sources are the same kind of peer (what
// export_rules.h decides on), neither of them this neighbour.
bool Speaker::exports_alike(const Neighbor& to, AdjRibOut::SentSource sent, const Path& best) const {
  if (!sent.attributes || !(to.ebgp() || to.settings.next_hop_self) || best.peer == to.id) return false;
  const PeerInfo* was = peers_.find(sent.from);
  const PeerInfo& is = peers_[best.peer];
  return was && was->ebgp == is.ebgp && was->local == is.local &&
         sent.attributes->same_except_next_hop(*best.attributes.get());
}

Speaker::Exported Speaker::export_attributes(Neighbor& to, const Prefix& prefix, const Path& best) {
  if (!to.export_memo.active) to.export_memo.begin(to.settings.policy);
  const ExportMemo::Key key{best.attributes.get(), best.peer, prefix.family()};
  if (const Exported* known = to.export_memo.find(key)) return *known;
  Exported exported;
  if (std::optional<PathAttributes> out = exported_attributes(to, prefix, best.attributes, best.peer))
    exported.attributes = std::make_shared<const PathAttributes>(std::move(*out));
  to.export_memo.store(key, best.attributes, exported);
  return exported;
}

std::optional<PathAttributes> Speaker::exported_attributes(const Neighbor& to, const Prefix& prefix,
                                                           const AttrSetRef& attributes, PeerId from_id) const {
  ExportTarget target{to.id, config_.local_as, to.ebgp(), to.local_address(prefix.family()), to.settings.next_hop_self};
  const PeerInfo& from = peers_[from_id];
  if (!export_allowed(from, target)) return std::nullopt;
  PathAttributes prepared = prepare_export(attributes.attributes(), from, target);
  PolicyResult result = export_route(to.settings.policy, PolicyContext{config_.local_as, to.ebgp()}, prefix, prepared);
  if (!result.accepted) return std::nullopt;
  return finish_export(result.modified ? std::move(*result.modified) : std::move(prepared), from, target,
                       prefix.family());
}

// Forgets what was sent (of `family`, or of every family) so that every
// route export allows is announced again; what it no longer allows is
// withdrawn at the end of the walk. The Adj-RIB-Out cannot tell which
// advertisements a changed policy or next-hop-self alters (it records the
// source, see adj_rib_out.h), so they are all sent. With Enhanced Route
// Refresh the table goes between BoRR and EoRR (RFC 7313 §4), so the peer
// can also drop what it did not get again; otherwise End-of-RIB follows
// when `end_of_rib` asks for it.
void Speaker::resend_table(Time now, Neighbor& n, std::optional<Family> family, bool end_of_rib) {
  std::vector<Prefix> sent;
  n.rib_out.for_each([&](const Prefix& p, const AttrSetRef&, PeerId) {
    if (!family || p.family() == *family) sent.push_back(p);
  });
  for (const Prefix& p : sent) n.rib_out.withdraw(p);
  n.pending.drop_announcements(family);
  std::vector<AfiSafi> families;
  for (const AfiSafi& f : n.negotiated->families)
    if (f.is_unicast() && (!family || f.family() == *family)) families.push_back(f);
  if (n.negotiated->route_refresh && n.negotiated->enhanced_route_refresh) {
    for (const AfiSafi& f : families)
      (void)n.session.send_route_refresh(now, RouteRefresh{f, RouteRefresh::begin_of_rib});
    drain_session(now, n);
    begin_table_export(n, family, {}, std::move(sent), std::move(families));
  } else {
    begin_table_export(n, family, end_of_rib ? std::move(families) : std::vector<AfiSafi>{}, std::move(sent));
  }
}

void Speaker::begin_table_export(Neighbor& to, std::optional<Family> family, std::vector<AfiSafi> end_of_rib,
                                 std::vector<Prefix> stale, std::vector<AfiSafi> end_of_refresh) {
  if (to.table_export) {
    // The new walk replaces the one in progress and keeps its promises; it
    // covers every family, as the old one may have.
    family.reset();
    auto keep = [](std::vector<AfiSafi>& into, const std::vector<AfiSafi>& promised) {
      for (const AfiSafi& f : promised)
        if (std::find(into.begin(), into.end(), f) == into.end()) into.push_back(f);
    };
    keep(end_of_rib, to.table_export->end_of_rib);
    keep(end_of_refresh, to.table_export->end_of_refresh);
    stale.insert(stale.end(), to.table_export->stale.begin(), to.table_export->stale.end());
  }
  TableExport walk{{}, 0, std::move(end_of_rib), std::move(end_of_refresh), std::move(stale)};
  walk.prefixes.reserve(family ? loc_rib_.prefix_count(*family) : loc_rib_.prefix_count());
  loc_rib_.for_each([&](const Prefix& p, const PathList&) {
    if (!family || p.family() == *family) walk.prefixes.push_back(p);
  });
  to.table_export = std::move(walk);
}

size_t Speaker::export_table_slice(Time now, Neighbor& to, size_t max_prefixes) {
  if (!to.established()) {
    to.table_export.reset();
    return 0;
  }
  TableExport& walk = *to.table_export;
  const size_t begin = walk.next, end = std::min(walk.prefixes.size(), walk.next + max_prefixes);
  for (; walk.next < end; ++walk.next)
    export_prefix(to, walk.prefixes[walk.next], loc_rib_.find(walk.prefixes[walk.next]));
  if (walk.next < walk.prefixes.size()) return end - begin;
  for (const Prefix& p : walk.stale)
    if (!to.rib_out.contains(p)) to.pending.withdraw.push_back(p);
  std::vector<AfiSafi> end_of_rib = std::move(walk.end_of_rib), end_of_refresh = std::move(walk.end_of_refresh);
  to.table_export.reset();
  flush_neighbor(now, to);
  for (const AfiSafi& family : end_of_rib) (void)to.session.send_update(now, Update::end_of_rib(family));
  for (const AfiSafi& family : end_of_refresh)
    (void)to.session.send_route_refresh(now, RouteRefresh{family, RouteRefresh::end_of_rib});
  drain_session(now, to);
  return end - begin;
}

void Speaker::flush(Time now) {
  if (!fib_dirty_.empty()) {
    std::sort(fib_dirty_.begin(), fib_dirty_.end());
    fib_dirty_.erase(std::unique(fib_dirty_.begin(), fib_dirty_.end()), fib_dirty_.end());
    speaker::RouteChanges changes;
    changes.changes.reserve(fib_dirty_.size());
    for (const Prefix& p : fib_dirty_) {
      fib::RouteChange change{p, {}};
      for (const NextHop& hop : decision_.next_hops(p)) change.next_hops.push_back(fib_next_hop(hop));
      changes.changes.push_back(std::move(change));
    }
    fib_dirty_.clear();
    actions_.push_back(std::move(changes));
  }
  for (auto& [id, n] : neighbors_) {
    n->export_memo.clear();
    if (!n->pending.empty()) flush_neighbor(now, *n);
  }
}

void Speaker::flush_neighbor(Time now, Neighbor& n) {
  if (!n.established()) {
    n.pending = {};
    return;
  }
  const CodecContext& ctx = n.negotiated->codec;
  // Every UPDATE of this flush goes to the session as one buffer of whole
  // messages: one send action and one transport write per flush instead of
  // one per UPDATE (thousands per route slice in a full-table load). The
  // messages are written straight into it (append_announcement), the
  // attributes encoded once per group.
  std::vector<uint8_t> batch;
  std::vector<Prefix> v4, v6;  // one group's prefixes per family, reused
  // Withdrawals first, per family.
  for (const Prefix& p : n.pending.withdraw)
    if (!n.rib_out.contains(p)) (p.family() == Family::ipv4 ? v4 : v6).push_back(p);  // else announced again since
  (void)append_withdrawal(Family::ipv4, v4, ctx, batch);
  (void)append_withdrawal(Family::ipv6, v6, ctx, batch);
  // Group by group, in the groups' creation order, each group's prefixes in
  // the order they were added (a stable sort).
  std::vector<std::pair<uint32_t, Prefix>>& announce = n.pending.announce;
  std::stable_sort(announce.begin(), announce.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t begin = 0, end = 0; begin < announce.size(); begin = end) {
    const uint32_t group = announce[begin].first;
    const PendingOut::Group& g = n.pending.groups[group];
    std::vector<Prefix>& prefixes = g.family == Family::ipv4 ? v4 : v6;
    prefixes.clear();
    for (end = begin; end < announce.size() && announce[end].first == announce[begin].first; ++end) {
      const Prefix& p = announce[end].second;
      if (n.rib_out.take_queued(p, g.source)) prefixes.push_back(p);
      // else changed or withdrawn since, or already in an earlier group of this flush
    }
    // false only for attributes too large for one prefix: nothing can carry them.
    if (!prefixes.empty()) (void)append_announcement(*g.attributes, g.family, prefixes, ctx, batch);
  }
  n.pending.clear();
  if (!batch.empty()) (void)n.session.send_raw(now, std::move(batch));
  drain_session(now, n);
}

void Speaker::log(LogLevel level, PeerId peer, std::string text) {
  actions_.push_back(speaker::Log{level, peer, std::move(text)});
}

// ---------------------------------------------------------------- inspection

std::optional<NeighborView> Speaker::neighbor(PeerId peer) const {
  const Neighbor* n = find(peer);
  if (!n) return std::nullopt;
  NeighborView v;
  v.id = n->id;
  v.name = n->settings.name;
  v.address = n->settings.address;
  v.interface = n->settings.interface;
  v.remote_as = n->settings.session.remote_as;
  v.state = n->session.state();
  v.state_since = n->state_since;
  v.last_down = n->last_down;
  if (n->negotiated) {
    v.remote_id = n->negotiated->remote_id;
    v.hold_time = n->negotiated->hold_time;
    v.keepalive_time = n->negotiated->keepalive_time;
  }
  v.received_prefixes = n->rib_in.size();
  v.queued_prefixes = pending_prefixes(n->id);
  v.advertised_prefixes = n->rib_out.size();
  v.rfc8212_blocked = rfc8212_blocks_import(n->settings.policy, n->ebgp()) ||
                      rfc8212_blocks_export(n->settings.policy, n->ebgp());
  v.counters = n->session.counters();
  v.negotiated = n->negotiated;
  for (Family f : {Family::ipv4, Family::ipv6}) {
    NeighborView::PrefixCounts& counts = f == Family::ipv4 ? v.ipv4_prefixes : v.ipv6_prefixes;
    if (n->rib_in.keeps_pre_policy()) {
      size_t received = 0;
      n->rib_in.for_each_pre_policy([&](const Prefix& p, const AttrSetRef&) { received += p.family() == f; });
      counts.received = received;
    }
    counts.accepted = n->rib_in.size(f);
    counts.advertised = n->rib_out.size(f);
  }
  return v;
}

std::vector<NeighborView> Speaker::neighbors() const {
  std::vector<NeighborView> out;
  for (auto& [id, n] : neighbors_) out.push_back(*neighbor(id));
  return out;
}

std::optional<RouteView> Speaker::route(const Prefix& prefix) const {
  const PathList* paths = loc_rib_.find(prefix);
  if (!paths || paths->empty()) return std::nullopt;
  RouteView v;
  v.prefix = prefix;
  for (size_t i = 0; i < paths->size(); ++i) {
    const Path& p = (*paths)[i];
    RouteView::PathView pv;
    pv.peer = p.peer;
    const Neighbor* n = find(p.peer);
    pv.from = n ? n->settings.name : "local";
    pv.attributes = p.attributes.attributes();
    pv.best = i == 0 && paths->multipath_count() > 0;
    pv.multipath = i < paths->multipath_count();
    v.paths.push_back(std::move(pv));
  }
  for (const NextHop& hop : next_hops_of(*paths, peers_)) v.next_hops.push_back(fib_next_hop(hop));
  return v;
}

std::optional<AdjRibView> Speaker::received_routes(PeerId peer, std::optional<Family> family) const {
  const Neighbor* n = find(peer);
  if (!n) return std::nullopt;
  AdjRibView v;
  v.pre_policy = n->rib_in.keeps_pre_policy();
  auto add = [&](const Prefix& p, const AttrSetRef& a) {
    if (family && p.family() != *family) return;
    AdjRibRouteView r{p, a.attributes()};
    if (const PathList* paths = loc_rib_.find(p))
      for (size_t i = 0; i < paths->size(); ++i)
        if ((*paths)[i].peer == peer) {
          r.accepted = true;
          r.best = i == 0 && paths->multipath_count() > 0;
          r.multipath = i < paths->multipath_count();
        }
    v.routes.push_back(std::move(r));
  };
  if (v.pre_policy)
    n->rib_in.for_each_pre_policy(add);
  else
    n->rib_in.for_each(add);
  std::sort(v.routes.begin(), v.routes.end(), [](const auto& a, const auto& b) { return a.prefix < b.prefix; });
  return v;
}

std::optional<AdjRibView> Speaker::advertised_routes(PeerId peer, std::optional<Family> family) const {
  const Neighbor* n = find(peer);
  if (!n) return std::nullopt;
  AdjRibView v;
  // The attributes are exported again from the recorded source: export is a
  // function of it (see adj_rib_out.h).
  n->rib_out.for_each([&](const Prefix& p, const AttrSetRef& attributes, PeerId from) {
    if (family && p.family() != *family) return;
    if (std::optional<PathAttributes> a = exported_attributes(*n, p, attributes, from))
      v.routes.push_back(AdjRibRouteView{p, std::move(*a)});
  });
  std::sort(v.routes.begin(), v.routes.end(), [](const auto& a, const auto& b) { return a.prefix < b.prefix; });
  return v;
}

std::vector<RouteView> Speaker::routes(std::optional<Family> family) const {
  std::vector<RouteView> out;
  loc_rib_.for_each([&](const Prefix& p, const PathList&) {
    if (family && p.family() != *family) return;
    if (auto v = route(p)) out.push_back(std::move(*v));
  });
  std::sort(out.begin(), out.end(), [](const RouteView& a, const RouteView& b) { return a.prefix < b.prefix; });
  return out;
}

std::vector<fib::RouteChange> Speaker::forwarding_table() const {
  std::vector<fib::RouteChange> out;
  loc_rib_.for_each([&](const Prefix& p, const PathList&) {
    fib::RouteChange change{p, {}};
    // decision_.next_hops leaves out paths of a dead session not withdrawn yet.
    for (const NextHop& hop : decision_.next_hops(p)) change.next_hops.push_back(fib_next_hop(hop));
    if (!change.next_hops.empty()) out.push_back(std::move(change));
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.prefix < b.prefix; });
  return out;
}

}  // namespace halink::bgp
