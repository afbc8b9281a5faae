#include "runtime/control_socket.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

using namespace halink;
using namespace halink::runtime;

TEST(ControlSocket, RequestGetsTheHandlersReplyAndBadJsonGetsAnError) {
  std::string path = "/tmp/halink-control-test-" + std::to_string(getpid()) + ".sock";
  EventLoop loop;
  ControlServer server(loop, [](const nlohmann::json& request) {
    return nlohmann::json{{"ok", true}, {"echo", request.value("command", "")}};
  });
  ASSERT_TRUE(server.listen(path).ok());
  Result<nlohmann::json> reply = Error{"not run"};
  std::thread client([&] {
    reply = control_request(path, {{"command", "show"}});
    loop.stop();
  });
  loop.run_for(Duration::seconds(5));
  client.join();
  ASSERT_TRUE(reply.ok()) << reply.message();
  EXPECT_EQ((*reply)["echo"], "show");

  // A second server on the same path is refused while the first is alive.
  EventLoop other;
  ControlServer second(other, [](const nlohmann::json&) { return nlohmann::json{}; });
  EXPECT_FALSE(second.listen(path).ok());
}

TEST(ControlSocket, UnreachableDaemonIsAClearError) {
  auto reply = control_request("/tmp/halink-no-such-daemon.sock", {{"command", "show"}});
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.message().find("is it running"), std::string::npos);
}
