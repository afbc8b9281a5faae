// BFD protocol cost: N back-to-back session pairs at 50 ms × 3, driven in
// virtual time through two bfd::Sessions tables (both ends in this process,
// so 2 × N sessions run), for 10 virtual minutes.
//
// Reports CPU per virtual second (the cost of keeping the sessions alive in
// real time), CPU % per 100 sessions, the largest gap between two periodic
// packets of one session, and fails if any session went Down after coming Up.
//
//   build/release/bench/bfd_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "bfd/sessions.h"

namespace {

using namespace halink;
using namespace halink::bfd;

// splitmix64: a small deterministic generator, so runs are repeatable.
RandomSource deterministic_random(uint64_t seed) {
  return [state = seed]() mutable {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
  };
}

double process_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

constexpr uint32_t left_base = 1'000'000;
constexpr uint32_t right_base = 2'000'000;

IpAddress left_address(uint32_t i) { return IpAddress::v4(0x0A000000u | (i + 1)); }   // 10.x.y.z
IpAddress right_address(uint32_t i) { return IpAddress::v4(0x0B000000u | (i + 1)); }  // 11.x.y.z

struct Run {
  uint64_t packets = 0;
  uint64_t ups = 0;
  uint64_t false_downs = 0;
  Duration max_periodic_gap;
};

class BackToBack {
 public:
  BackToBack(uint32_t pairs, Duration interval, uint8_t multiplier)
      : left_(deterministic_random(1)), right_(deterministic_random(2)), last_tx_(pairs, Time::never()) {
    for (uint32_t i = 0; i < pairs; ++i) {
      (void)left_.add(now_, config(left_base + i, right_address(i), interval, multiplier));
      (void)right_.add(now_, config(right_base + i, left_address(i), interval, multiplier));
    }
  }

  Run run_for(Duration virtual_time, Time measure_gaps_from) {
    Time end = now_ + virtual_time;
    measure_from_ = measure_gaps_from;
    for (;;) {
      Time next = earliest(left_.next_deadline(), right_.next_deadline());
      if (next > end) break;
      now_ = next;
      left_.on_timer(now_);
      right_.on_timer(now_);
      pump();
    }
    now_ = end;
    return result_;
  }

 private:
  static SessionConfig config(uint32_t discriminator, IpAddress peer, Duration interval, uint8_t multiplier) {
    SessionConfig c;
    c.local_discriminator = discriminator;
    c.peer = peer;
    c.interface = "wg0";
    c.desired_min_tx = interval;
    c.required_min_rx = interval;
    c.detect_mult = multiplier;
    return c;
  }

  void pump() {
    for (;;) {
      from_left_.clear();
      from_right_.clear();
      left_.drain_actions(from_left_);
      right_.drain_actions(from_right_);
      if (from_left_.empty() && from_right_.empty()) return;
      deliver(from_left_, right_, left_base, true);
      deliver(from_right_, left_, right_base, false);
    }
  }

  void deliver(const std::vector<Action>& actions, Sessions& to, uint32_t base, bool from_left) {
    for (const Action& a : actions) {
      if (const auto* send = std::get_if<SendPacket>(&a)) {
        uint32_t index = send->local_discriminator - base;
        ++result_.packets;
        if (from_left && !send->packet.bytes().empty() && (send->packet.data[1] & 0x10) == 0 && now_ >= measure_from_) {
          // Periodic packets of the left side (Final answers are extra).
          if (!last_tx_[index].is_never())
            result_.max_periodic_gap = std::max(result_.max_periodic_gap, now_ - last_tx_[index]);
          last_tx_[index] = now_;
        }
        PacketSource source{from_left ? left_address(index) : right_address(index), "wg0", false, 255};
        to.on_packet(now_, send->packet.bytes(), source);
      } else {
        const auto& change = std::get<StateChange>(a);
        if (change.new_state == State::up) ++result_.ups;
        if (change.old_state == State::up) ++result_.false_downs;
      }
    }
  }

  Sessions left_;
  Sessions right_;
  Time now_ = Time::zero();
  Time measure_from_ = Time::never();
  std::vector<Time> last_tx_;
  std::vector<Action> from_left_;
  std::vector<Action> from_right_;
  Run result_;
};

void BM_BfdSessionPairs(benchmark::State& state) {
  const auto pairs = static_cast<uint32_t>(state.range(0));
  const Duration virtual_time = Duration::seconds(state.range(1));
  for (auto _ : state) {
    state.PauseTiming();
    BackToBack net(pairs, Duration::milliseconds(50), 3);
    // Bring-up (slow 1 s packets, handshake, Poll/Final to 50 ms) is not the
    // steady state being measured.
    Run warmup = net.run_for(Duration::seconds(5), Time::never());
    state.ResumeTiming();
    double cpu_start = process_cpu_seconds();
    Run run = net.run_for(virtual_time, Time::zero() + Duration::seconds(5));
    double cpu = process_cpu_seconds() - cpu_start;

    double per_virtual_second = cpu / virtual_time.seconds_f();
    double sessions = 2.0 * pairs;
    state.counters["sessions"] = sessions;
    state.counters["cpu_ms_per_virtual_s"] = per_virtual_second * 1e3;
    state.counters["cpu_pct_per_100_sessions"] = per_virtual_second * 100.0 / (sessions / 100.0);
    state.counters["packets_per_virtual_s"] =
        static_cast<double>(run.packets - warmup.packets) / virtual_time.seconds_f();
    state.counters["max_periodic_gap_ms"] = static_cast<double>(run.max_periodic_gap.us()) / 1e3;
    state.counters["false_downs"] = static_cast<double>(run.false_downs);
    if (warmup.ups != 2 * pairs) state.SkipWithError("not all sessions came Up during warm-up");
    if (run.false_downs != 0) state.SkipWithError("a session went Down without a failure");
  }
}

// 1,000 pairs at 50 ms × 3 for 10 virtual minutes (the goal), and a
// 100-pair run for comparison (a working set that stays in the CPU caches).
BENCHMARK(BM_BfdSessionPairs)->Args({1000, 600})->Args({100, 600})->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

