"""Python FastAGI peer for benches/agi_load.rs: panoramisk's FastAGI server making the same `moh`
decision as Ringside (same rule book JSON: dialplan patterns, queue/context, one schedule) and
sending the same three SET VARIABLE commands. Prints `PORT <n>` once listening."""
import asyncio
import datetime
import json
import sys
import urllib.parse
import zoneinfo

from panoramisk.fast_agi import Application


def compile_pattern(text):
    if not text.startswith("_"):
        return lambda n: n == text
    toks, body, i = [], text[1:], 0
    while i < len(body):
        c = body[i].upper()
        if c == "-":
            i += 1
            continue
        if c in "XZN":
            toks.append(set("0123456789"[{"X": 0, "Z": 1, "N": 2}[c]:]))
        elif c in ".!":
            toks.append(c)
        elif c == "[":
            j = body.index("]", i)
            members, k = set(), i + 1
            while k < j:
                if k + 2 < j and body[k + 1] == "-":
                    members |= {chr(x) for x in range(ord(body[k]), ord(body[k + 2]) + 1)}
                    k += 3
                else:
                    members.add(body[k])
                    k += 1
            toks.append(members)
            i = j
        else:
            toks.append({body[i]})
        i += 1

    def match(number):
        for pos, tok in enumerate(toks):
            if tok == ".":
                return len(number) > pos
            if tok == "!":
                return True
            if pos >= len(number) or number[pos] not in tok:
                return False
        return len(number) == len(toks)

    return match


class Schedule:
    DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    def __init__(self, spec):
        self.tz = zoneinfo.ZoneInfo(spec["timezone"])
        self.weekly = {d: [self._range(r) for r in spec.get("weekly", {}).get(d, [])] for d in self.DAYS}
        self.holidays = spec.get("holidays", [])

    @staticmethod
    def _secs(t):
        parts = [int(p) for p in t.split(":")]
        return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)

    def _range(self, text):
        a, b = text.split("-")
        return self._secs(a), self._secs(b)

    def _is_holiday(self, d):
        for h in self.holidays:
            k = h["kind"]
            if k == "date" and d.isoformat() == h["date"]:
                return True
            if k == "range" and h["from"] <= d.isoformat() <= h["to"]:
                return True
            if k == "yearly" and (d.month, d.day) == (h["month"], h["day"]):
                return True
        return False

    def state(self, now):
        local = now.astimezone(self.tz)
        if self._is_holiday(local.date()):
            return "holiday"
        secs = local.hour * 3600 + local.minute * 60 + local.second
        day = self.DAYS[local.weekday()]
        return "open" if any(a <= secs < b for a, b in self.weekly[day]) else "closed"


class RuleBook:
    def __init__(self, spec):
        self.fallback = spec.get("fallback", "default")
        self.schedules = {s["name"]: Schedule(s) for s in spec.get("schedules", [])}
        self.rules = []
        for r in spec.get("rules", []):
            w = dict(r.get("when", {}))
            for key in ("dialled", "caller"):
                if key in w:
                    w[key] = compile_pattern(w[key])
            self.rules.append((r["name"], r["class"], w))

    def decide(self, facts, now):
        states = {}
        for name, cls, w in self.rules:
            if "dialled" in w and not w["dialled"](facts["dialled"]):
                continue
            if "caller" in w and not w["caller"](facts["caller"]):
                continue
            if "queue" in w and w["queue"] != facts["queue"]:
                continue
            if "context" in w and w["context"] != facts["context"]:
                continue
            if "account_code" in w and w["account_code"] != facts["account_code"]:
                continue
            if "schedule" in w:
                sname = w["schedule"]["name"]
                if sname not in states:
                    states[sname] = self.schedules[sname].state(now)
                if states[sname] != w["schedule"]["state"]:
                    continue
            return name, cls
        return "fallback", self.fallback


def facts_from(headers):
    def known(key):
        v = headers.get(key, "")
        return "" if v == "unknown" else v

    script = headers.get("agi_network_script", "")
    query = urllib.parse.parse_qs(script.partition("?")[2])
    queue = (query.get("queue") or [headers.get("agi_arg_1", "")])[0]
    return {
        "uniqueid": headers.get("agi_uniqueid", ""),
        "dialled": known("agi_dnid") or headers.get("agi_extension", ""),
        "caller": known("agi_callerid"),
        "context": headers.get("agi_context", ""),
        "queue": queue,
        "account_code": known("agi_accountcode"),
    }


async def main():
    with open(sys.argv[1]) as f:
        book = RuleBook(json.load(f))

    async def moh(request):
        facts = facts_from(request.headers)
        rule, cls = book.decide(facts, datetime.datetime.now(datetime.timezone.utc))
        await request.send_command(f"SET VARIABLE CHANNEL(musicclass) {cls}")
        await request.send_command(f"SET VARIABLE RINGSIDE_MOH {cls}")
        await request.send_command(f"SET VARIABLE RINGSIDE_RULE {rule}")

    app = Application()
    app.add_route("moh?queue=sales", moh)
    app.add_route("moh", moh)
    server = await asyncio.start_server(app.handler, "127.0.0.1", 0, backlog=4096)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
