// Full-table load through import policy, Adj-RIB-In, Loc-RIB and the
// decision process (issue 3 / issue 8 goals: ≥ 2 million routes/s on one
// core, ≤ 120 bytes per additional path).
//
// The table is generated from a fixed seed: ~1,000,000 IPv4 prefixes with
// today's length mix (/24 the majority, mean ≈ 22.9), AS paths of 1–10 hops,
// ~300,000 distinct attribute sets, grouped into UPDATEs the way a peer
// sends them (one attribute set, many NLRI) in shuffled order. Each peer
// sends the same prefixes with its own next hop and neighbouring AS, so its
// attribute sets are its own (as with real upstreams).
//
// Memory is measured by counting live heap bytes (global operator new/delete
// are replaced below) plus the usable bytes of the large table arrays and
// of the slab blocks in use, which live outside the heap (table_memory.h,
// slab.h): what the RIB holds after the load
// minus before, divided by the paths loaded. "bytes/path" includes the interned attribute
// sets; "index bytes/path" is everything except them (the prefix indexes and
// the paths); "marginal bytes/path" (4 peers) is the cost of the paths of
// peers 2–4 on top of the first peer's.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <unordered_set>
#include <vector>

#include "bgp/decision/decision_process.h"
#include "bgp/policy/policy_evaluator.h"
#include "bgp/rib/attribute_store.h"
#include "bgp/rib/loc_rib.h"
#include "bgp/rib/slab.h"
#include "bgp/rib/table_memory.h"

// ---- heap accounting -------------------------------------------------------
// The replacements pair malloc with free by design; GCC cannot see that
// through inlining.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
size_t live_bytes = 0;        // usable bytes of live allocations
size_t live_allocations = 0;  // the allocator adds ~8 bytes of header to each
}  // namespace

void* operator new(size_t size) {
  void* p = std::malloc(size ? size : 1);
  if (!p) throw std::bad_alloc();
  live_bytes += malloc_usable_size(p);
  ++live_allocations;
  return p;
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept {
  if (!p) return;
  live_bytes -= malloc_usable_size(p);
  --live_allocations;
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }
// Over-aligned allocations (the RIB's huge-page table arrays) count too.
void* operator new(size_t size, std::align_val_t alignment) {
  const size_t a = static_cast<size_t>(alignment);
  void* p = std::aligned_alloc(a, (size + a - 1) / a * a);
  if (!p) throw std::bad_alloc();
  live_bytes += malloc_usable_size(p);
  ++live_allocations;
  return p;
}
void* operator new[](size_t size, std::align_val_t alignment) { return operator new(size, alignment); }
void operator delete(void* p, std::align_val_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { operator delete(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { operator delete(p); }

namespace {
// Large table arrays live in reserved address ranges and attribute sets in
// slab blocks, not on the heap (table_memory.h, slab.h): those bytes count
// as well. For the slab that is the blocks in use (rounded to their class,
// as malloc_usable_size rounds), not its chunks: it keeps freed blocks for
// reuse, so a load after the first maps no new chunks. On a first load the
// chunks exceed the blocks by less than the one chunk being filled
// ("slab_chunk_bytes/path" below shows it).
size_t held_bytes() {
  return live_bytes + halink::bgp::table_memory_mapped_bytes() +
         static_cast<size_t>(halink::bgp::slab_live_bytes_of_this_thread());
}
}  // namespace

namespace halink::bgp {
namespace {

constexpr size_t table_prefixes = 1'000'000;
constexpr size_t distinct_attribute_sets = 300'000;
constexpr size_t max_nlri_per_update = 400;  // roughly what fits a 4096-byte UPDATE

struct Update {
  uint32_t attribute_set;
  std::vector<Prefix> nlri;
};

struct Table {
  std::vector<PathAttributes> base_attributes;  // without next hop / neighbour AS
  std::vector<Update> updates;
  size_t prefix_count = 0;
  double mean_length = 0;
};

int draw_length(std::mt19937_64& rng) {
  // Share of each length in a current full IPv4 table (approximate).
  static const std::pair<int, double> mix[] = {
      {24, 0.600}, {23, 0.095}, {22, 0.115}, {21, 0.045}, {20, 0.045}, {19, 0.028}, {18, 0.015},
      {17, 0.010}, {16, 0.032}, {15, 0.006}, {14, 0.004}, {13, 0.002}, {12, 0.001}, {11, 0.001}, {10, 0.001}};
  std::uniform_real_distribution<double> u(0, 1);
  double x = u(rng);
  for (const auto& [length, share] : mix) {
    if (x < share) return length;
    x -= share;
  }
  return 24;
}

PathAttributes draw_attributes(std::mt19937_64& rng) {
  static const double hop_share[] = {0.04, 0.16, 0.27, 0.25, 0.14, 0.07, 0.04, 0.02, 0.005, 0.005};
  std::uniform_real_distribution<double> u(0, 1);
  double x = u(rng);
  size_t hops = 1;
  for (size_t i = 0; i < 10; ++i) {
    if (x < hop_share[i]) {
      hops = i + 1;
      break;
    }
    x -= hop_share[i];
  }
  PathAttributes a;
  const double o = u(rng);
  a.origin = o < 0.85 ? Origin::igp : (o < 0.99 ? Origin::incomplete : Origin::egp);
  std::vector<uint32_t> asns;
  std::uniform_int_distribution<uint32_t> transit(1, 5000), any_as(1, 400000);
  for (size_t i = 0; i + 1 < hops; ++i) asns.push_back(transit(rng));
  asns.push_back(any_as(rng));  // origin AS
  a.as_path = AsPath{{AsPathSegment{AsPathSegmentType::as_sequence, std::move(asns)}}};
  if (u(rng) < 0.3) a.med = static_cast<uint32_t>(rng() % 1000);
  if (u(rng) < 0.6) {
    const size_t n = 1 + rng() % 6;
    for (size_t i = 0; i < n; ++i) a.communities.push_back((transit(rng) << 16) | static_cast<uint32_t>(rng() % 1000));
  }
  if (u(rng) < 0.05) a.large_communities.push_back(LargeCommunity{transit(rng), 1, static_cast<uint32_t>(rng() % 100)});
  return a;
}

const Table& shared_table() {
  static const Table table = [] {
    Table t;
    std::mt19937_64 rng(20261125);
    for (size_t i = 0; i < distinct_attribute_sets; ++i) t.base_attributes.push_back(draw_attributes(rng));

    std::vector<Prefix> prefixes;
    std::unordered_set<uint64_t> seen;
    double length_sum = 0;
    while (prefixes.size() < table_prefixes) {
      const int length = draw_length(rng);
      const uint32_t address = static_cast<uint32_t>(0x01000000u + rng() % (0xDF000000u - 0x01000000u));
      const Prefix p = Prefix::make_masked(IpAddress::v4(address), length);
      if (!seen.insert((uint64_t{p.address().v4_host_order()} << 8) | uint64_t(length)).second) continue;
      prefixes.push_back(p);
      length_sum += length;
    }
    t.prefix_count = prefixes.size();
    t.mean_length = length_sum / double(prefixes.size());

    // Every set is used at least once; the rest go to a heavy head of sets
    // (large origin ASes announce many prefixes with one attribute set).
    std::vector<std::vector<Prefix>> by_set(distinct_attribute_sets);
    std::uniform_real_distribution<double> u(0, 1);
    for (size_t i = 0; i < prefixes.size(); ++i) {
      const size_t set = i < distinct_attribute_sets
                             ? i
                             : static_cast<size_t>(double(distinct_attribute_sets) * std::pow(u(rng), 3.0));
      by_set[std::min(set, distinct_attribute_sets - 1)].push_back(prefixes[i]);
    }
    for (size_t set = 0; set < by_set.size(); ++set)
      for (size_t start = 0; start < by_set[set].size(); start += max_nlri_per_update) {
        const size_t end = std::min(by_set[set].size(), start + max_nlri_per_update);
        t.updates.push_back(Update{static_cast<uint32_t>(set), {by_set[set].begin() + long(start), by_set[set].begin() + long(end)}});
      }
    std::shuffle(t.updates.begin(), t.updates.end(), rng);
    // Re-allocate the NLRI lists in arrival order: a decoder's output is in
    // cache, lists scattered by the shuffle would add misses it does not have.
    std::vector<Update> in_order;
    in_order.reserve(t.updates.size());
    for (const Update& update : t.updates) in_order.push_back(update);
    t.updates = std::move(in_order);
    return t;
  }();
  return table;
}

// One peer's UPDATEs' attributes, as the codec would hand them over: the
// base set with the peer's next hop and AS in front, one per UPDATE, laid
// out in arrival order (a decoder reads a byte stream front to back, so its
// output is in cache; input scattered over 100 MB would measure misses the
// speaker does not have).
std::vector<PathAttributes> peer_attributes(const Table& table, const PeerInfo& peer) {
  std::vector<PathAttributes> out;
  out.reserve(table.updates.size());
  for (const Update& update : table.updates) {
    PathAttributes a = table.base_attributes[update.attribute_set];
    a.next_hop = peer.address;
    a.as_path->prepend(peer.remote_as, 1);
    out.push_back(std::move(a));
  }
  return out;
}

struct Speaker {
  AttributeStore store;
  PeerTable peers;
  LocRib loc_rib;
  DecisionProcess decision{loc_rib, peers, DecisionConfig{}};
  NeighborPolicy policy;  // explicit accept-all import policy (RFC 8212 needs one)
  size_t route_changes = 0;

  explicit Speaker(size_t peer_count) {
    policy.import_policy = Policy{"accept-all", {}, PolicyVerdict::accept};
    for (PeerId id = 0; id < peer_count; ++id) {
      PeerInfo info;
      info.id = id;
      info.remote_as = id < 2 ? 65001 : 65002;  // two ISPs, two tunnels each
      info.router_id = 0x0a000001u + id;
      info.address = IpAddress::v4(10, 0, static_cast<uint8_t>(id), 1);
      info.interface = "tun" + std::to_string(id);
      peers.upsert(info);
    }
  }

  // What the speaker does with one received UPDATE.
  void receive(PeerId peer, const PathAttributes& attributes, const std::vector<Prefix>& nlri) {
    constexpr size_t prefetch_distance = 4;
    for (size_t i = 0; i < std::min(prefetch_distance, nlri.size()); ++i) decision.prefetch(nlri[i]);
    const PolicyContext context{65000, peers[peer].ebgp};
    // The import policy runs once per UPDATE unless a term matches on the
    // prefix (import_depends_on_prefix): every NLRI of an UPDATE has the
    // same attributes, so it gets the same result.
    const bool per_prefix = import_depends_on_prefix(policy);
    AttrSetRef unmodified;  // interned once per UPDATE, on first use
    AttrSetRef accepted;    // the post-policy set; null: rejected
    for (size_t i = 0; i < nlri.size(); ++i) {
      if (i + prefetch_distance < nlri.size()) decision.prefetch(nlri[i + prefetch_distance]);
      const Prefix& prefix = nlri[i];
      if (i == 0 || per_prefix) {
        PolicyResult result = import_route(policy, context, prefix, attributes);
        if (!result.accepted) {
          accepted.reset();
        } else if (result.modified) {
          accepted = store.intern(std::move(*result.modified));
        } else {
          if (!unmodified) unmodified = store.intern(attributes);
          accepted = unmodified;
        }
      }
      if (!accepted) {
        route_changes += decision.withdraw(prefix, peer).changed();
        continue;
      }
      route_changes += decision.update(prefix, peer, accepted).changed();
    }
  }

  size_t index_bytes() const {
    return loc_rib.index_bytes() + store.index_bytes();
  }
};

void load(Speaker& speaker, const Table& table, const std::vector<std::vector<PathAttributes>>& attributes) {
  // All sessions come up together: their UPDATEs interleave.
  for (size_t u = 0; u < table.updates.size(); ++u)
    for (PeerId peer = 0; peer < attributes.size(); ++peer)
      speaker.receive(peer, attributes[peer][u], table.updates[u].nlri);
}

// CPU time of the calling thread (wall time on a shared machine would
// include other processes' turns).
double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

void BM_FullTableLoad(benchmark::State& state) {
  const size_t peer_count = static_cast<size_t>(state.range(0));
  const Table& table = shared_table();
  std::vector<std::vector<PathAttributes>> attributes;
  {
    Speaker shape(peer_count);
    for (PeerId p = 0; p < peer_count; ++p) attributes.push_back(peer_attributes(table, shape.peers[p]));
  }
  const size_t paths = table.prefix_count * peer_count;
  size_t held = 0, held_allocations = 0, index = 0, sets = 0, changes = 0, prefixes = 0;
  size_t as_paths = 0, community_lists = 0, slab_chunks = 0;
  double first_load_ms = 0;
  bool first = true;
  for (auto _ : state) {
    state.PauseTiming();
    auto speaker = std::make_unique<Speaker>(peer_count);
    const size_t before = held_bytes(), before_allocations = live_allocations, before_chunks = slab_mapped_bytes();
    state.ResumeTiming();
    const double start = thread_cpu_ms();
    load(*speaker, table, attributes);
    if (first) first_load_ms = thread_cpu_ms() - start;
    first = false;
    state.PauseTiming();
    held = held_bytes() - before;
    slab_chunks = std::max(slab_chunks, slab_mapped_bytes() - before_chunks);  // the first load maps them
    held_allocations = live_allocations - before_allocations;
    index = speaker->index_bytes();
    sets = speaker->store.size();
    as_paths = speaker->store.as_path_count();
    community_lists = speaker->store.community_list_count();
    changes = speaker->route_changes;
    prefixes = speaker->loc_rib.prefix_count();
    speaker.reset();  // tear-down is not part of the load
    // Nor is the allocator's work left over from it: glibc keeps the small
    // blocks just freed in its fast bins and merges them all on the next
    // large request (malloc_consolidate), which would land in the next
    // load. Merge them here, so each load starts like the first.
    malloc_trim(0);
    state.ResumeTiming();
  }
  state.counters["routes/s"] = benchmark::Counter(double(paths), benchmark::Counter::kIsIterationInvariantRate);
  // The first load of the process: the slab keeps the blocks a teardown
  // frees, so later iterations find them ready (no new chunk, no page
  // fault) where a daemon's first table load does not. Compare this one.
  state.counters["first_load_routes/s"] = double(paths) / (first_load_ms / 1e3);
  state.counters["paths"] = double(paths);
  state.counters["prefixes"] = double(prefixes);
  state.counters["attr_sets"] = double(sets);
  state.counters["as_paths"] = double(as_paths);
  state.counters["community_lists"] = double(community_lists);
  state.counters["route_changes"] = double(changes);
  state.counters["bytes/path"] = double(held) / double(paths);
  state.counters["slab_chunk_bytes/path"] = double(slab_chunks) / double(paths);
  state.counters["bytes/path+hdr"] = double(held + 8 * held_allocations) / double(paths);
  state.counters["attr_bytes/set"] = double(held - index) / double(sets);
  state.counters["index_bytes/path"] = double(index) / double(paths);
  state.counters["mean_prefix_len"] = table.mean_length;
  state.counters["updates/peer"] = double(table.updates.size());
}
BENCHMARK(BM_FullTableLoad)->Arg(1)->Arg(4)->Iterations(3)->Unit(benchmark::kMillisecond);

// Memory cost of the paths of peers 2–4 once peer 1's table is loaded
// (the "per additional path" figure): loads 1 and then 4 peers, untimed.
void BM_MarginalBytesPerPath(benchmark::State& state) {
  const Table& table = shared_table();
  std::vector<std::vector<PathAttributes>> attributes;
  {
    Speaker shape(4);
    for (PeerId p = 0; p < 4; ++p) attributes.push_back(peer_attributes(table, shape.peers[p]));
  }
  double marginal = 0, marginal_shared = 0;
  for (auto _ : state) {
    state.PauseTiming();
    size_t one = 0, four = 0;
    {
      Speaker speaker(1);
      const size_t before = held_bytes();
      load(speaker, table, {attributes[0]});
      one = held_bytes() - before;
    }
    {
      Speaker speaker(4);
      const size_t before = held_bytes();
      load(speaker, table, attributes);
      four = held_bytes() - before;
    }
    // Peers that send identical attributes (same next hop, e.g. a route
    // server or iBGP mesh through one reflector) share every set.
    size_t shared = 0;
    {
      Speaker speaker(4);
      const size_t before = held_bytes();
      load(speaker, table, {attributes[0], attributes[0], attributes[0], attributes[0]});
      shared = held_bytes() - before;
    }
    marginal = double(four - one) / double(3 * table.prefix_count);
    marginal_shared = double(shared - one) / double(3 * table.prefix_count);
    state.ResumeTiming();
  }
  state.counters["marginal_bytes/path"] = marginal;
  state.counters["marginal_bytes/path_shared_attrs"] = marginal_shared;
}
BENCHMARK(BM_MarginalBytesPerPath)->Iterations(1)->Unit(benchmark::kMillisecond);

// A session of 4 drops: every path of that peer leaves and the decision
// re-runs for each prefix (what the FIB then has to re-steer). Done the way
// the daemon does it, in slices of range(0) prefixes
// (DecisionProcess::begin_peer_withdrawal / withdraw_peer_slice), so the
// event loop can serve timers and sockets between slices; "longest_slice_ms"
// is the longest single call, in thread CPU time (wall time on a shared
// machine would include other processes' turns).

void BM_PeerDown(benchmark::State& state) {
  const size_t slice = static_cast<size_t>(state.range(0));
  const Table& table = shared_table();
  std::vector<std::vector<PathAttributes>> attributes;
  {
    Speaker shape(4);
    for (PeerId p = 0; p < 4; ++p) attributes.push_back(peer_attributes(table, shape.peers[p]));
  }
  double longest = 0, first_ms = 0;
  size_t slices = 0, changed = 0, withdrawn = 0, next_hops = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto speaker = std::make_unique<Speaker>(4);
    load(*speaker, table, attributes);
    slices = changed = withdrawn = 0;
    state.ResumeTiming();
    const double begin = thread_cpu_ms();
    next_hops = speaker->decision.begin_peer_withdrawal(0).size();
    first_ms = thread_cpu_ms() - begin;  // until NextHopDown can be sent
    for (bool done = false; !done;) {
      const double start = thread_cpu_ms();
      done = speaker->decision.withdraw_peer_slice(0, slice, [&](const Prefix&, const RouteChange& change) {
        ++withdrawn;
        changed += change.changed();
      });
      longest = std::max(longest, thread_cpu_ms() - start);
      ++slices;
    }
    state.PauseTiming();
    speaker.reset();
    state.ResumeTiming();
  }
  state.counters["withdrawn/s"] = benchmark::Counter(double(withdrawn), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["withdrawn"] = double(withdrawn);
  state.counters["route_changes"] = double(changed);
  state.counters["slices"] = double(slices);
  state.counters["longest_slice_ms"] = longest;
  state.counters["next_hops_down_ms"] = first_ms;
  state.counters["next_hops"] = double(next_hops);
}
BENCHMARK(BM_PeerDown)->Arg(2000)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace halink::bgp

BENCHMARK_MAIN();
