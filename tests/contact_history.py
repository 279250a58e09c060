"""A contact history the outbound tests share: members called, texted and mailed on 1-2 March 2026 (Shanghai),
with no answers, a refusal, an abandon, a callback and successes, phones written in several ways."""

from __future__ import annotations

__all__ = ["HISTORY"]

HISTORY = """member,phone,channel,at,outcome,campaign
m1,13800138001,call,2026-03-02T09:00:00+08:00,no_answer,c1
m1,13800138001,call,2026-03-02T10:00:00+08:00,no_answer,c1
m1,13800138001,call,2026-03-02T11:00:00+08:00,busy,c2
m1,13800138001,call,2026-03-02T12:00:00+08:00,no_answer,c1
m1,13800138001,call,2026-03-02T13:00:00+08:00,machine,c1
m2,138 0013 8002,call,2026-03-02T14:00:00+08:00,refused,c1
m2,138 0013 8002,call,2026-03-02T14:30:00+08:00,no_answer,c1
m2,138 0013 8002,sms,2026-03-02T14:40:00+08:00,success,c1
m3,+8613800138003,call,2026-03-02T14:00:00+08:00,abandoned,c1
m4,13800138004,email,2026-03-01T14:00:00+08:00,success,c1
m5,13800138005,call,2026-03-01T14:00:00+08:00,success,c1
m6,010-8888 6666,call,2026-03-01T14:00:00+08:00,callback,c1
"""
