"""Live feeds: adapters that bring PBX events onto the live floor and fan them out.

``queue_log_follower`` follows a growing Asterisk ``queue_log``; ``ami`` speaks the Asterisk
Manager Interface; ``event_socket`` speaks FreeSWITCH's Event Socket; ``bus`` tells every web
worker that the event log grew (in-process by default, Redis across processes).
"""
