"""Wallet dialects: how a ``WalletCall`` becomes a signed request in a studio's protocol, and how replies are read.

One package per dialect (``native``, ``rsa_json``, ``md5_form``, ``token_query``): the package itself holds the
codes, the signing and the client (build and parse); ``wallet.py`` the reference wallet's endpoints; ``tamper.py``
what the conformance suite does to its requests; ``room.py`` the ``Room`` that hands each part to its user.
``registry`` is the only list of dialects. Shared here: ``call`` (the dialect-neutral operations), ``protocol``
(``Dialect``, ``Room``), ``amounts``, ``common`` (reply handling), ``wallet_common`` (the wallet side's), ``config``
(endpoints from the settings).
"""
