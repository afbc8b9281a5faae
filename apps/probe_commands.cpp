#include "probe_commands.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "lab/probe/probe_receiver.h"
#include "lab/probe/probe_sender.h"

namespace {

using namespace halink;

// SIGINT and SIGTERM become readable on a signalfd that the probe polls, so
// the receiver ends with its report and the sender with its end markers.
int stop_on_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  return signalfd(-1, &signals, SFD_CLOEXEC);
}

Result<Duration> parse_duration(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return Error{"--duration must be a positive number of seconds"};
  if (seconds == 0) return Duration::infinite();
  return Duration::nanoseconds(int64_t(std::llround(seconds * 1e9)));
}

Result<IpAddress> parse_address(const std::string& text, const char* option) {
  auto address = IpAddress::parse(text);
  if (!address) return Error{std::string(option) + ": " + address.message()};
  return address;
}

// The two options every probe command has: where and how long.
struct Common {
  IpAddress address;
  Duration duration;
};
Result<Common> parse_common(const std::string& address_text, const char* address_option, double seconds) {
  auto address = parse_address(address_text, address_option);
  if (!address) return address.error();
  auto duration = parse_duration(seconds);
  if (!duration) return duration.error();
  return Common{*address, *duration};
}

int fail(const std::string& message) {
  std::fprintf(stderr, "halink probe: %s\n", message.c_str());
  return 2;
}

}  // namespace

void add_probe_commands(CLI::App& app, int& exit_code) {
  auto* probe = app.add_subcommand("probe", "traffic probe: UDP flows with sequence numbers and send times (lab)");
  probe->require_subcommand(1);

  // ---- receive
  static std::string listen;
  static uint16_t receive_port = 4000;
  static double receive_seconds = 0, grace_ms = 50;
  static bool receive_json = false;
  auto* receive = probe->add_subcommand(
      "receive", "count every flow's packets; at the end (duration, SIGINT, SIGTERM) report losses and outages");
  receive->add_option("--listen", listen, "address to listen on")->required();
  receive->add_option("--port", receive_port, "UDP port")->capture_default_str();
  receive->add_option("--duration", receive_seconds, "seconds to run (default: until SIGINT/SIGTERM)");
  receive->add_option("--silence-grace-ms", grace_ms,
                      "a flow silent this long at the end without the sender's end marker is counted as down")
      ->capture_default_str();
  receive->add_flag("--json", receive_json, "JSON report");
  receive->callback([&exit_code] {
    auto common = parse_common(listen, "--listen", receive_seconds);
    if (!common) return void(exit_code = fail(common.message()));
    lab::ProbeReceiverOptions options;
    options.listen = common->address;
    options.port = receive_port;
    options.duration = common->duration;
    options.silence_grace = Duration::microseconds(int64_t(grace_ms * 1000));
    int stop_fd = stop_on_signals();
    auto receiver = lab::ProbeReceiver::open(options);
    if (!receiver) return void(exit_code = fail(receiver.message()));
    lab::ProbeReport report = receiver->run(stop_fd);
    std::cout << (receive_json ? lab::report_to_json(report).dump(2) + "\n" : lab::report_to_text(report)) << std::flush;
    exit_code = 0;
  });

  // ---- send
  static std::string to, from;
  static lab::ProbeSenderOptions send_options;
  static double send_seconds = 0;
  static bool send_json = false;
  auto* send = probe->add_subcommand(
      "send", "UDP flows, each from its own source port, paced evenly; end markers when done (duration, SIGINT, SIGTERM)");
  send->add_option("--to", to, "receiver address")->required();
  send->add_option("--port", send_options.port, "receiver UDP port")->capture_default_str();
  send->add_option("--from", from, "source address (default: the kernel's choice)");
  send->add_option("--flows", send_options.flows, "number of flows")->capture_default_str();
  send->add_option("--rate", send_options.rate, "packets per second per flow")->capture_default_str();
  send->add_option("--duration", send_seconds, "seconds to run (default: until SIGINT/SIGTERM)");
  send->add_option("--size", send_options.size, "datagram size in bytes (header 40, rest padding)")->capture_default_str();
  send->add_option("--source-port-base", send_options.source_port_base,
                   "flow f uses source port BASE+f (default: ephemeral ports)");
  send->add_option("--first-sequence", send_options.first_sequence, "first sequence number of every flow")
      ->capture_default_str();
  send->add_flag("--json", send_json, "JSON summary (run id, source port per flow, counters)");
  send->callback([&exit_code] {
    auto common = parse_common(to, "--to", send_seconds);
    if (!common) return void(exit_code = fail(common.message()));
    send_options.to = common->address;
    send_options.duration = common->duration;
    if (!from.empty()) {
      auto source = parse_address(from, "--from");
      if (!source) return void(exit_code = fail(source.message()));
      send_options.from = *source;
    }
    int stop_fd = stop_on_signals();
    auto sender = lab::ProbeSender::open(send_options);
    if (!sender) return void(exit_code = fail(sender.message()));
    lab::ProbeSenderResult result = sender->run(stop_fd);
    std::cout << (send_json ? lab::sender_result_to_json(result).dump(2) + "\n" : lab::sender_result_to_text(result))
              << std::flush;
    exit_code = 0;
  });
}
