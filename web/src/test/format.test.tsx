import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { bucketLabel, presetRange, rangeQuery } from "../dashboard/metrics";
import { duration, percent } from "../ui/format";
import { RichText } from "../ui/RichText";

describe("formatting", () => {
  it("formats durations and rates for people", () => {
    expect(duration(42)).toBe("42 s");
    expect(duration(600)).toBe("10 min");
    expect(duration(3900)).toBe("1 h 05 min");
    expect(duration(null)).toBe("—");
    expect(percent(0.5)).toBe("50%");
    expect(percent(null)).toBe("—");
  });

  it("turns local days into an inclusive UTC range", () => {
    const query = new URLSearchParams(rangeQuery("2026-03-01", "2026-03-07"));
    const start = new Date(query.get("start")!);
    const end = new Date(query.get("end")!);
    expect((end.getTime() - start.getTime()) / 86_400_000).toBe(7);
    expect(presetRange("7d", new Date(2026, 2, 10))).toEqual(["2026-03-04", "2026-03-10"]);
    expect(presetRange("today", new Date(2026, 2, 10))).toEqual(["2026-03-10", "2026-03-10"]);
    expect(bucketLabel(0, 86400)).toMatch(/\w/);
  });
});

describe("RichText", () => {
  it("renders bold and lists without raw HTML", () => {
    render(<RichText text={"Order is **pending**\nItems:\n- Chair\n- Lamp\n<script>x</script>"} />);
    expect(screen.getByText("pending").tagName).toBe("STRONG");
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
    expect(screen.getByText("<script>x</script>")).toBeInTheDocument();
    expect(document.querySelector("script")).toBeNull();
  });
});
