// Per-flow multipath choice, the way the Linux kernel makes it.
//
// Model assumptions:
// - The hash covers the L4 five-tuple (fib_multipath_hash_policy=1) and a
//   per-node seed (fib_multipath_hash_seed). Routers with the same seed in
//   series make the same choice and polarize (see LAB-NOTES.md); the
//   simulator gives each node its own seed unless told otherwise.
// - The function is not the kernel's jhash (its exact outputs do not
//   matter, only that they are uniform, stable per flow and seed-dependent);
//   it is a fixed integer recipe, so results are identical everywhere.
// - Choice is hash-threshold (RFC 2992, Linux fib_select_multipath and
//   nexthop groups): the 31-bit hash space is cut into regions proportional
//   to the weights of the next hops that are alive, and the flow takes the
//   region its hash falls in. Losing a next hop moves only some flows.
#pragma once

#include <cstdint>
#include <span>

#include "core/ip.h"

namespace halink::sim {

struct FiveTuple {
  IpAddress source;
  IpAddress destination;
  uint8_t protocol = 6;  // TCP
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  auto operator<=>(const FiveTuple&) const = default;
};

// A value in [0, 2^31).
uint32_t flow_hash(const FiveTuple& tuple, uint64_t seed);

// Index into `weights` chosen by hash-threshold; weights of 0 are not
// eligible. Returns weights.size() when none is eligible.
size_t select_by_hash_threshold(uint32_t hash, std::span<const uint32_t> weights);

}  // namespace halink::sim
