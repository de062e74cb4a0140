import { describe, expect, it } from "vitest";
import { SseParser } from "@tandem/client";

describe("SseParser", () => {
  it("parses events split across chunks, with ids and types, skipping pings", () => {
    const parser = new SseParser();
    expect(parser.feed('id: 4\nevent: token\ndata: {"type":"token","te')).toEqual([]);
    const events = parser.feed('xt":"Hi"}\n\n: ping\n\nid: 5\r\nevent: done\r\ndata: {"type":"done","reply":"Hi"}\r\n\r\n');
    expect(events).toEqual([
      { id: 4, type: "token", text: "Hi" },
      { id: 5, type: "done", reply: "Hi" },
    ]);
  });

  it("drops frames whose data is not JSON", () => {
    expect(new SseParser().feed("id: 1\ndata: not json\n\n")).toEqual([]);
  });
});
