"""Live feeds: adapters that bring PBX events onto the live floor and fan them out.

``queue_log_follower`` follows a growing Asterisk ``queue_log``; ``ami`` speaks the Asterisk
Manager Interface; ``event_socket`` speaks FreeSWITCH's Event Socket; ``bus`` tells every web
worker that the event log grew (in-process by default, Redis across processes).
The other way, ``switch`` executes callops' decisions on the PBX behind one ``execute`` method:
``switch_ami`` (Originate, Redirect), ``switch_esl`` (bgapi originate, uuid_transfer), ``switch_sim``.
"""
