// The simulator's only source of randomness: a seeded, portable generator.
//
// Model assumptions:
// - Same seed → same sequence on every platform and compiler: xoshiro256**
//   seeded through splitmix64 (both fully specified integer recipes), never
//   std::mt19937 with std::uniform_*_distribution, whose outputs the C++
//   standard leaves to the library.
// - Each node gets its own stream (fork(node index)), so adding a node or a
//   packet on one node does not shift the jitter another node sees: a run
//   stays comparable when the scenario changes elsewhere.
// - uniform() is what sans-IO cores receive for timer jitter (RFC 4271 §10,
//   RFC 5880 §6.8.7); next_u32() matches bfd::RandomSource.
#pragma once

#include <array>
#include <cstdint>

namespace halink::sim {

// One step of splitmix64: advances `state` and returns a well-mixed value.
uint64_t splitmix64(uint64_t& state);
// Stateless 64-bit finaliser (splitmix64's output function): hashing ids and seeds.
uint64_t mix64(uint64_t value);

class Random {
public:
  explicit Random(uint64_t seed = 0);

  uint64_t next_u64();
  uint32_t next_u32() { return static_cast<uint32_t>(next_u64() >> 32); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform integer in [0, bound); bound 0 returns 0.
  uint64_t below(uint64_t bound);
  // An independent generator for sub-stream `stream` (e.g. a node index),
  // derived from this generator's seed, not from its current position.
  Random fork(uint64_t stream) const;

  uint64_t seed() const { return seed_; }

private:
  uint64_t seed_;
  std::array<uint64_t, 4> state_{};
};

}  // namespace halink::sim
