#include "bgp/rib/attribute_store.h"

#include <cassert>
#include <cstring>
#include <utility>

namespace halink::bgp {
namespace {

// Hash of one word into a running value: multiply-xorshift, enough to spread
// AS numbers and community values (which are small and clustered).
constexpr uint64_t step(uint64_t h, uint64_t v) {
  h = (h ^ v) * 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 29);
}

uint64_t hash_of(const AsPath& path) {
  uint64_t h = 0xA5;
  for (const AsPathSegment& s : path.segments) {
    h = step(h, 0x100 | uint64_t(s.type));
    for (uint32_t asn : s.asns) h = step(h, asn);
  }
  return h;
}

uint64_t hash_of(const IpAddress& a) {
  uint64_t high, low;
  std::memcpy(&high, a.raw().data(), 8);
  std::memcpy(&low, a.raw().data() + 8, 8);
  return step(step(uint64_t(a.family()), high), low);
}

uint64_t community_hash(const PathAttributes& a) {
  uint64_t h = 0xC0;
  for (uint32_t c : a.communities) h = step(h, c);
  h = step(h, 0xEC);
  for (uint64_t c : a.extended_communities) h = step(h, c);
  h = step(h, 0x1C);
  for (const LargeCommunity& c : a.large_communities)
    h = step(step(step(h, c.global_admin), c.local_data1), c.local_data2);
  return h;
}

// ---- Packed pieces (see AttrSet::as_path / AttrSet::communities).

uint32_t segment_header(const AsPathSegment& segment) {
  return uint32_t(segment.type) << 24 | static_cast<uint32_t>(segment.asns.size());
}

PackedWords pack(const AsPath& path) {
  size_t size = 0;
  for (const AsPathSegment& s : path.segments) size += 1 + s.asns.size();
  PackedWords packed(size);
  uint32_t* out = packed.data();
  for (const AsPathSegment& s : path.segments) {
    *out++ = segment_header(s);
    if (!s.asns.empty()) std::memcpy(out, s.asns.data(), s.asns.size() * sizeof(uint32_t));
    out += s.asns.size();
  }
  return packed;
}

bool same_words(const uint32_t*& at, const uint32_t* end, const uint32_t* values, size_t count) {
  if (size_t(end - at) < count || (count && std::memcmp(at, values, count * sizeof(uint32_t)) != 0)) return false;
  at += count;
  return true;
}

bool same(const PackedWords& packed, const AsPath& path) {
  const uint32_t* at = packed.begin();
  const uint32_t* end = packed.end();
  for (const AsPathSegment& s : path.segments) {
    if (at == end || *at != segment_header(s)) return false;
    ++at;
    if (!same_words(at, end, s.asns.data(), s.asns.size())) return false;
  }
  return at == end;
}

AsPath unpack_as_path(const PackedWords& packed) {
  AsPath path;
  for (const uint32_t* at = packed.begin(); at != packed.end();) {
    const uint32_t header = *at++;
    const size_t count = header & 0xFFFFFF;
    path.segments.push_back(AsPathSegment{AsPathSegmentType(header >> 24), {at, at + count}});
    at += count;
  }
  return path;
}

bool has_community_lists(const PathAttributes& a) {
  return !a.communities.empty() || !a.extended_communities.empty() || !a.large_communities.empty();
}

PackedWords pack_communities(const PathAttributes& a) {
  PackedWords packed(3 + a.communities.size() + 2 * a.extended_communities.size() + 3 * a.large_communities.size());
  uint32_t* out = packed.data();
  *out++ = static_cast<uint32_t>(a.communities.size());
  *out++ = static_cast<uint32_t>(a.extended_communities.size());
  *out++ = static_cast<uint32_t>(a.large_communities.size());
  for (uint32_t c : a.communities) *out++ = c;
  for (uint64_t c : a.extended_communities) {
    *out++ = static_cast<uint32_t>(c >> 32);
    *out++ = static_cast<uint32_t>(c);
  }
  for (const LargeCommunity& c : a.large_communities) {
    *out++ = c.global_admin;
    *out++ = c.local_data1;
    *out++ = c.local_data2;
  }
  return packed;
}

bool same_communities(const PackedWords& packed, const PathAttributes& a) {
  const size_t size =
      3 + a.communities.size() + 2 * a.extended_communities.size() + 3 * a.large_communities.size();
  if (packed.size() != size) return false;
  const uint32_t* at = packed.begin();
  if (at[0] != a.communities.size() || at[1] != a.extended_communities.size() ||
      at[2] != a.large_communities.size())
    return false;
  at += 3;
  if (!same_words(at, packed.end(), a.communities.data(), a.communities.size())) return false;
  for (uint64_t c : a.extended_communities) {
    if (at[0] != static_cast<uint32_t>(c >> 32) || at[1] != static_cast<uint32_t>(c)) return false;
    at += 2;
  }
  for (const LargeCommunity& c : a.large_communities) {
    if (at[0] != c.global_admin || at[1] != c.local_data1 || at[2] != c.local_data2) return false;
    at += 3;
  }
  return true;
}

void unpack_communities(const PackedWords& packed, PathAttributes& a) {
  const uint32_t* at = packed.begin();
  const size_t communities = at[0], extended = at[1], large = at[2];
  at += 3;
  a.communities.assign(at, at + communities);
  at += communities;
  a.extended_communities.clear();
  for (size_t i = 0; i < extended; ++i, at += 2) a.extended_communities.push_back(uint64_t{at[0]} << 32 | at[1]);
  a.large_communities.clear();
  for (size_t i = 0; i < large; ++i, at += 3) a.large_communities.push_back(LargeCommunity{at[0], at[1], at[2]});
}

bool has_rare(const PathAttributes& a) {
  return a.link_local_next_hop || a.aggregator || !a.cluster_list.empty() || !a.unknown.empty();
}

uint64_t rare_hash(const PathAttributes& a) {
  uint64_t h = 0x7A;
  if (a.link_local_next_hop) h = step(h, hash_of(*a.link_local_next_hop));
  if (a.aggregator) h = step(step(h, a.aggregator->asn), hash_of(a.aggregator->address));
  for (uint32_t c : a.cluster_list) h = step(h, c);
  for (const UnknownAttribute& u : a.unknown) {
    h = step(h, (uint64_t(u.type) << 8) | u.flags);
    for (uint8_t b : u.value) h = step(h, b);
  }
  return h;
}

// The hashes of a set and of its pieces: the set's is derived from the
// pieces', so a new set interns its pieces without hashing them again.
struct Hashes {
  uint64_t as_path = 0, communities = 0, rare = 0, set = 0;
};

Hashes hashes_of(const PathAttributes& a) {
  Hashes h;
  uint64_t s = 0x5E7;
  if (a.as_path) s = step(s, h.as_path = hash_of(*a.as_path));
  if (has_community_lists(a)) s = step(s, h.communities = community_hash(a));
  if (has_rare(a)) s = step(s, h.rare = rare_hash(a));
  if (a.next_hop) s = step(s, hash_of(*a.next_hop));
  s = step(s, (uint64_t(a.origin ? uint8_t(*a.origin) + 1 : 0) << 40) | (uint64_t(a.atomic_aggregate) << 32) |
                  (a.originator_id ? uint64_t(*a.originator_id) + 1 : 0));
  s = step(s, (a.med ? uint64_t(*a.med) + 1 : 0) << 32 | (a.local_pref ? uint64_t(*a.local_pref) + 1 : 0));
  h.set = s;
  return h;
}

}  // namespace

DecisionKey DecisionKey::of(const PathAttributes& attrs) {
  DecisionKey key;
  key.has_local_pref = attrs.local_pref.has_value();
  key.local_pref = attrs.local_pref.value_or(0);
  if (attrs.as_path) {
    key.as_path_length = static_cast<uint32_t>(attrs.as_path->decision_length());
    key.neighbor_as = attrs.as_path->neighbor_as();
  }
  // A missing ORIGIN is a malformed UPDATE (RFC 4271 §6.3) that the codec
  // rejects; locally built sets without one rank as INCOMPLETE.
  key.origin = attrs.origin.value_or(Origin::incomplete);
  key.has_med = attrs.med.has_value();
  key.med = attrs.med.value_or(0);
  key.has_originator_id = attrs.originator_id.has_value();
  key.originator_id = attrs.originator_id.value_or(0);
  key.cluster_list_length = static_cast<uint32_t>(attrs.cluster_list.size());
  return key;
}

bool AttrSet::equals(const PathAttributes& a) const {
  const DecisionKey& k = decision;
  if (has_next_hop != a.next_hop.has_value() || (has_next_hop && next_hop != *a.next_hop)) return false;
  if (has_origin != a.origin.has_value() || (has_origin && k.origin != *a.origin)) return false;
  if (k.has_med != a.med.has_value() || (k.has_med && k.med != *a.med)) return false;
  if (k.has_local_pref != a.local_pref.has_value() || (k.has_local_pref && k.local_pref != *a.local_pref))
    return false;
  if (k.has_originator_id != a.originator_id.has_value() ||
      (k.has_originator_id && k.originator_id != *a.originator_id))
    return false;
  if (atomic_aggregate != a.atomic_aggregate) return false;
  if (bool(as_path) != a.as_path.has_value() || (as_path && !same(*as_path, *a.as_path))) return false;
  if (communities) {
    if (!same_communities(*communities, a)) return false;
  } else if (has_community_lists(a)) {
    return false;
  }
  if (rare) {
    return rare->link_local_next_hop == a.link_local_next_hop && rare->aggregator == a.aggregator &&
           rare->cluster_list == a.cluster_list && rare->unknown == a.unknown;
  }
  return !has_rare(a);
}

bool AttrSet::same_except_next_hop(const AttrSet& other) const {
  return decision == other.decision && as_path == other.as_path && communities == other.communities &&
         rare == other.rare && has_next_hop == other.has_next_hop && has_origin == other.has_origin &&
         atomic_aggregate == other.atomic_aggregate;
}

PathAttributes AttrSet::decode() const {
  PathAttributes a;
  if (has_origin) a.origin = decision.origin;
  if (as_path) a.as_path = unpack_as_path(*as_path);
  if (has_next_hop) a.next_hop = next_hop;
  if (decision.has_med) a.med = decision.med;
  if (decision.has_local_pref) a.local_pref = decision.local_pref;
  a.atomic_aggregate = atomic_aggregate;
  if (decision.has_originator_id) a.originator_id = decision.originator_id;
  if (communities) unpack_communities(*communities, a);
  if (rare) {
    a.link_local_next_hop = rare->link_local_next_hop;
    a.aggregator = rare->aggregator;
    a.cluster_list = rare->cluster_list;
    a.unknown = rare->unknown;
  }
  return a;
}

std::optional<AsPath> AttrSetRef::as_path() const {
  if (!set_->as_path) return std::nullopt;
  return unpack_as_path(*set_->as_path);
}

IpAddress AttrSetRef::forwarding_address() const {
  if (set_->has_next_hop && !set_->next_hop.is_unspecified()) return set_->next_hop;
  if (const IpAddress* link_local = link_local_next_hop()) return *link_local;
  return set_->next_hop;  // unspecified (or 0.0.0.0 when absent)
}

SharedAttributes AttrSetRef::attributes() const {
  if (set_->store) return set_->store->decoded(set_);
  return SharedAttributes(std::make_shared<const PathAttributes>(set_->decode()));
}

SharedAttributes AttributeStore::decoded(const AttrSet* set) {
  if (decoded_set_ != set) {
    decoded_ = std::make_shared<const PathAttributes>(set->decode());
    decoded_set_ = set;
  }
  return SharedAttributes(decoded_);
}

AttributeStore::~AttributeStore() {
  // Sets still referenced (e.g. by a RIB destroyed after the store) detach
  // and are freed by their last reference; their pieces detach likewise
  // when the pools go.
  table_.for_each([](Slot& slot) { slot.set->store = nullptr; });
}

AttrSetRef AttributeStore::intern(const PathAttributes& attrs) {
  const Hashes hashes = hashes_of(attrs);
  const uint64_t hash = hashes.set;
  // Most sets of a table being loaded are new, and a new set looks up its
  // pieces too: three probes into three large tables, each a cache miss.
  // Starting all three loads now overlaps them (the profile showed them
  // as the three costliest instructions of a load, one after the other).
  table_.prefetch(hash);
  if (attrs.as_path) as_paths_.prefetch(hashes.as_path);
  if (hashes.communities) communities_.prefetch(hashes.communities);
  auto [slot, inserted] =
      table_.find_or_insert(hash, [&](const Slot& s) { return s.hash == hash && s.set->equals(attrs); });
  if (inserted) {
    auto* set = new AttrSet;
    set->decision = DecisionKey::of(attrs);
    set->hash = hash;
    set->store = this;
    if (attrs.as_path)
      set->as_path = as_paths_.intern_with(
          hashes.as_path, [&](const PackedWords& p) { return same(p, *attrs.as_path); },
          [&] { return pack(*attrs.as_path); });
    if (has_community_lists(attrs))
      set->communities = communities_.intern_with(
          hashes.communities, [&](const PackedWords& c) { return same_communities(c, attrs); },
          [&] { return pack_communities(attrs); });
    if (has_rare(attrs))
      set->rare = rare_.intern_with(
          hashes.rare,
          [&](const RareAttributes& r) {
            return r.link_local_next_hop == attrs.link_local_next_hop && r.aggregator == attrs.aggregator &&
                   r.cluster_list == attrs.cluster_list && r.unknown == attrs.unknown;
          },
          [&] {
            return RareAttributes{attrs.link_local_next_hop, attrs.aggregator, attrs.cluster_list, attrs.unknown};
          });
    if (attrs.next_hop) set->next_hop = *attrs.next_hop;
    set->has_next_hop = attrs.next_hop.has_value();
    set->has_origin = attrs.origin.has_value();
    set->atomic_aggregate = attrs.atomic_aggregate;
    *slot = Slot{set, hash};
  }
  return AttrSetRef(slot->set);
}

void AttributeStore::erase(AttrSet* set) {
  if (decoded_set_ == set) {
    decoded_set_ = nullptr;
    decoded_.reset();
  }
  Slot* slot = table_.find(set->hash, [set](const Slot& candidate) { return candidate.set == set; });
  assert(slot);
  table_.erase(slot);
  delete set;
}

}  // namespace halink::bgp
