#include "table_generator.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <unordered_set>
#include <utility>

#include "bgp/wire/codec.h"
#include "bgp/wire/update_codec.h"

namespace halink::bench {
namespace {

struct Share {
  int value;
  double share;
};

// IPv4 prefix lengths of a full table. Sources: G. Huston, "BGP in 2024"
// (APNIC, January 2025) and the CIDR Report / bgp.potaroo.net AS131072 table
// reports (2025): about 1.03–1.04 million entries, /24 about 60 % of them,
// /22 and /23 about 10 % each, average prefix length about 22.9. The shares
// below give a mean of 22.91.
constexpr Share ipv4_lengths[] = {
    {24, .632}, {23, .100}, {22, .118}, {21, .042}, {20, .044},  {19, .021},  {18, .011},  {17, .006}, {16, .014},
    {15, .004}, {14, .003}, {13, .002}, {12, .001}, {11, .0005}, {10, .0005}, {9, .0005}, {8, .0005}};

// IPv6: bgp.potaroo.net/v6/as2.0 (AS131072 IPv6 table, March–April 2025):
// 219,475–222,878 active entries, average prefix length 42.84–42.87, /48
// the largest group and /32 the second. Mean of these shares: 42.99.
constexpr Share ipv6_lengths[] = {{48, .49}, {47, .03}, {46, .04}, {45, .02}, {44, .09}, {42, .02}, {40, .06},
                                  {36, .03}, {35, .01}, {34, .01}, {33, .01}, {32, .17}, {29, .02}};

// AS_PATH hops, the sender's own AS included. Huston ("BGP in 2024") reports
// an average AS path length of a little over 4 seen from one vantage point;
// these shares give 4.39, range 1–10.
constexpr Share as_path_hops[] = {{1, .01}, {2, .08}, {3, .22}, {4, .28}, {5, .20},
                                  {6, .11}, {7, .05}, {8, .03}, {9, .01}, {10, .01}};

// About 75,000 ASes originate routes (Huston, "BGP in 2024"); about a third
// of today's ASNs are 4-octet (RFC 6793). A few thousand transit ASes carry
// them, and a router's upstream sees them through a few dozen neighbours.
constexpr uint32_t origin_ases = 75'000;
constexpr uint32_t transit_ases = 3'000;
constexpr uint32_t neighbour_ases = 40;

template <size_t N>
int draw(const Share (&shares)[N], std::mt19937_64& rng) {
  double x = std::uniform_real_distribution<double>(0, 1)(rng);
  for (const Share& s : shares) {
    if (x < s.share) return s.value;
    x -= s.share;
  }
  return shares[0].value;
}

uint32_t origin_asn(uint32_t index) {
  // Two thirds 2-octet public ASNs, one third 4-octet (from 131072 up).
  return index % 3 == 2 ? 131'072 + index : 1'000 + index % 60'000;
}

bgp::PathAttributes draw_attributes(const TableSpec& spec, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  bgp::PathAttributes a;
  const double origin = u(rng);
  a.origin = origin < 0.85 ? bgp::Origin::igp : (origin < 0.99 ? bgp::Origin::incomplete : bgp::Origin::egp);
  const int hops = draw(as_path_hops, rng);
  std::vector<uint32_t> asns{spec.sender_as};
  for (int i = 1; i < hops; ++i) {
    if (i + 1 == hops) {
      asns.push_back(origin_asn(static_cast<uint32_t>(rng() % origin_ases)));
    } else if (i == 1) {
      asns.push_back(100 + static_cast<uint32_t>(rng() % neighbour_ases));
    } else {
      asns.push_back(200 + static_cast<uint32_t>(rng() % transit_ases));
    }
  }
  a.as_path = bgp::AsPath{{bgp::AsPathSegment{bgp::AsPathSegmentType::as_sequence, std::move(asns)}}};
  a.next_hop = spec.next_hop;
  if (u(rng) < 0.3) a.med = static_cast<uint32_t>(rng() % 1000);
  if (u(rng) < 0.6) {
    const size_t n = 1 + rng() % 6;
    for (size_t i = 0; i < n; ++i)
      a.communities.push_back(((100 + static_cast<uint32_t>(rng() % neighbour_ases)) << 16) |
                              static_cast<uint32_t>(rng() % 1000));
    std::sort(a.communities.begin(), a.communities.end());
    a.communities.erase(std::unique(a.communities.begin(), a.communities.end()), a.communities.end());
  }
  if (u(rng) < 0.05)
    a.large_communities.push_back(
        bgp::LargeCommunity{spec.sender_as, 1, static_cast<uint32_t>(rng() % 100)});
  return a;
}

Prefix draw_prefix(Family family, std::mt19937_64& rng) {
  if (family == Family::ipv4) {
    // Unicast space without 0/8, 10/8, 127/8 (the benchmark's own links and
    // loopback must never be covered by a generated route).
    for (;;) {
      const uint32_t address = 0x01000000u + static_cast<uint32_t>(rng() % (0xE0000000u - 0x01000000u));
      const uint32_t first = address >> 24;
      if (first == 10 || first == 127) continue;
      return Prefix::make_masked(IpAddress::v4(address), draw(ipv4_lengths, rng));
    }
  }
  // Global unicast 2000::/3, but not fd00::/8 (the benchmark's links).
  std::array<uint8_t, 16> bytes{};
  const uint64_t high = (uint64_t{0x2} << 60) | (rng() & ((uint64_t{1} << 61) - 1));
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(high >> (56 - 8 * i));
  return Prefix::make_masked(IpAddress::from_bytes(Family::ipv6, bytes), draw(ipv6_lengths, rng));
}

struct AttributesHash {
  size_t operator()(const bgp::PathAttributes& a) const { return a.hash(); }
};

void close_chunk(EncodedStream& stream, size_t chunk_bytes) {
  const size_t start = stream.chunk_ends.empty() ? 0 : stream.chunk_ends.back();
  if (stream.bytes.size() - start >= chunk_bytes) stream.chunk_ends.push_back(stream.bytes.size());
}

void append(EncodedStream& stream, const std::vector<uint8_t>& message) {
  stream.bytes.insert(stream.bytes.end(), message.begin(), message.end());
  ++stream.messages;
  close_chunk(stream, 64 * 1024);
}

void finish(EncodedStream& stream) {
  if (stream.chunk_ends.empty() || stream.chunk_ends.back() != stream.bytes.size())
    stream.chunk_ends.push_back(stream.bytes.size());
}

void add_nlri(bgp::Update& update, Family family, const Prefix& prefix, bool withdraw) {
  if (family == Family::ipv4) {
    (withdraw ? update.withdrawn : update.nlri).prefixes.push_back(prefix);
  } else if (withdraw) {
    update.mp_unreach_family = bgp::AfiSafi::unicast(Family::ipv6);
    update.mp_withdrawn.prefixes.push_back(prefix);
  } else {
    update.mp_reach_family = bgp::AfiSafi::unicast(Family::ipv6);
    update.mp_nlri.prefixes.push_back(prefix);
  }
}

}  // namespace

TableSpec TableSpec::full_table(Family family, IpAddress next_hop) {
  TableSpec spec;
  spec.family = family;
  spec.next_hop = next_hop;
  if (family == Family::ipv6) {
    // 220,000 prefixes (potaroo, above). 80,000 sets, 2.75 prefixes per set
    // against 3.5 in IPv4 (IPv6 is less de-aggregated per origin): an
    // estimate, as public reports count ASes and paths, not attribute sets.
    spec.prefixes = 220'000;
    spec.attribute_sets = 80'000;
  }
  return spec;
}

Table generate_table(const TableSpec& spec) {
  std::mt19937_64 rng(spec.seed ^ static_cast<uint64_t>(spec.family));
  Table table;
  table.family = spec.family;

  std::unordered_set<bgp::PathAttributes, AttributesHash> seen_sets;
  seen_sets.reserve(spec.attribute_sets * 2);
  double hops = 0;
  while (table.attribute_sets.size() < spec.attribute_sets) {
    bgp::PathAttributes a = draw_attributes(spec, rng);
    if (!seen_sets.insert(a).second) continue;
    hops += static_cast<double>(a.as_path->segments[0].asns.size());
    table.attribute_sets.push_back(std::move(a));
  }
  table.mean_as_path_hops = hops / static_cast<double>(spec.attribute_sets);

  std::unordered_set<Prefix> seen_prefixes;
  seen_prefixes.reserve(spec.prefixes * 2);
  double length_sum = 0;
  table.prefixes.reserve(spec.prefixes);
  while (table.prefixes.size() < spec.prefixes) {
    Prefix p = draw_prefix(spec.family, rng);
    if (!seen_prefixes.insert(p).second) continue;
    length_sum += p.length();
    table.prefixes.push_back(p);
  }
  table.mean_length = length_sum / static_cast<double>(spec.prefixes);

  // Every set gets one prefix, the rest go to sets drawn with density
  // ∝ rank^(-2/3) (set = S·u³): the first sets collect thousands of prefixes.
  table.prefixes_of_set.resize(spec.attribute_sets);
  std::uniform_real_distribution<double> u(0, 1);
  for (uint32_t i = 0; i < table.prefixes.size(); ++i) {
    size_t set = i;
    if (i >= spec.attribute_sets) {
      const double x = u(rng);
      set = std::min(spec.attribute_sets - 1, static_cast<size_t>(static_cast<double>(spec.attribute_sets) * x * x * x));
    }
    table.prefixes_of_set[set].push_back(i);
  }
  return table;
}

EncodedStream encode_announcements(const Table& table, const bgp::CodecContext& ctx, uint64_t seed) {
  std::vector<uint32_t> order(table.attribute_sets.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);

  EncodedStream stream;
  for (uint32_t set : order) {
    bgp::Update update;
    update.attributes = table.attribute_sets[set];
    for (uint32_t p : table.prefixes_of_set[set]) add_nlri(update, table.family, table.prefixes[p], false);
    for (const bgp::Update& part : bgp::split_update(update, ctx)) append(stream, bgp::encode(part, ctx));
    stream.prefixes += table.prefixes_of_set[set].size();
  }
  append(stream, bgp::encode(bgp::Update::end_of_rib(bgp::AfiSafi::unicast(table.family)), ctx));
  finish(stream);
  return stream;
}

EncodedStream encode_withdrawals(const Table& table, const bgp::CodecContext& ctx) {
  bgp::Update update;
  for (const Prefix& p : table.prefixes) add_nlri(update, table.family, p, true);
  EncodedStream stream;
  for (const bgp::Update& part : bgp::split_update(update, ctx)) append(stream, bgp::encode(part, ctx));
  stream.prefixes = table.prefixes.size();
  finish(stream);
  return stream;
}

std::string describe(const Table& table, const EncodedStream& announcements) {
  char text[400];
  std::snprintf(text, sizeof text,
                "%zu %s prefixes, mean length %.2f, %zu attribute sets, mean AS path %.2f hops; "
                "%zu UPDATEs, %.1f MB",
                table.prefixes.size(), table.family == Family::ipv4 ? "IPv4" : "IPv6", table.mean_length,
                table.attribute_sets.size(), table.mean_as_path_hops, announcements.messages - 1,
                static_cast<double>(announcements.bytes.size()) / 1e6);
  return text;
}

}  // namespace halink::bench
