// A seeded, realistic BGP table for the full-table benchmark (issue 8), and
// its UPDATEs encoded once, before any clock starts, so that the blaster only
// writes bytes and is never the bottleneck.
//
// The figures (see table_generator.cpp for each source):
//   IPv4: 1,040,000 prefixes, /24 the majority (≈ 60 %), mean length ≈ 22.9,
//         300,000 distinct attribute sets (3.5 prefixes per set; an
//         estimate: 75,000 origin ASes, each seen with a few distinct paths
//         and community sets; public reports count prefixes and ASes, not
//         attribute sets);
//   IPv6: 220,000 prefixes, /48 the majority (≈ 49 %), mean length ≈ 42.9,
//         80,000 distinct attribute sets;
//   both: AS paths of 1–10 hops (mean ≈ 4.4) starting with the sender's AS,
//         origin ASes from a pool of 75,000 (a third of them 4-octet), MED on
//         30 % of the sets, 1–6 communities on 60 %, a large community on 5 %.
// Prefixes are spread over the sets with a heavy head (a few sets carry
// thousands of prefixes, most carry one to three), as with a real upstream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bgp/wire/message.h"
#include "core/ip.h"

namespace halink::bench {

struct TableSpec {
  Family family = Family::ipv4;
  size_t prefixes = 1'040'000;
  size_t attribute_sets = 300'000;
  uint64_t seed = 20261125;
  uint32_t sender_as = 65001;  // first AS of every AS_PATH (RFC 4271 §5.1.2)
  IpAddress next_hop;          // the sender's session address

  // The defaults above for IPv4, or 220,000 prefixes / 80,000 sets for IPv6.
  static TableSpec full_table(Family family, IpAddress next_hop);
};

struct Table {
  Family family = Family::ipv4;
  std::vector<Prefix> prefixes;                       // distinct, masked
  std::vector<bgp::PathAttributes> attribute_sets;    // distinct
  std::vector<std::vector<uint32_t>> prefixes_of_set;  // indexes into prefixes
  double mean_length = 0;
  double mean_as_path_hops = 0;
};

Table generate_table(const TableSpec& spec);

// Whole BGP messages back to back, cut into chunks that end on message
// boundaries so that a KEEPALIVE can be written between two chunks.
struct EncodedStream {
  std::vector<uint8_t> bytes;
  std::vector<size_t> chunk_ends;  // offsets into bytes, increasing, last == bytes.size()
  size_t messages = 0;
  size_t prefixes = 0;
};

// Every prefix announced: one UPDATE per attribute set (split where it
// exceeds ctx.max_size()), sets in a shuffled order, then End-of-RIB
// (RFC 4724 §2).
EncodedStream encode_announcements(const Table& table, const bgp::CodecContext& ctx, uint64_t seed);
// Every prefix withdrawn, packed as densely as ctx.max_size() allows.
EncodedStream encode_withdrawals(const Table& table, const bgp::CodecContext& ctx);

// "1040000 IPv4 prefixes, mean length 22.90, 300000 attribute sets, ...".
std::string describe(const Table& table, const EncodedStream& announcements);

}  // namespace halink::bench
