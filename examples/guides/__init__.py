"""The five Sidekiq guides of ``shared/seeds/``, snippet by snippet, in Python.

One module per guide, keeping the guide's class names, each snippet with a comment naming the
guide and its section:

* :mod:`examples.guides.guide_000` -- "Sidekiq – Background Jobs" (Spanish);
* :mod:`examples.guides.guide_001` -- "Background Jobs with Sidekiq";
* :mod:`examples.guides.guide_002` -- "Sidekiq Background Jobs" (AnKhangCRM, Vietnamese);
* :mod:`examples.guides.guide_003` -- "Sidekiq & Async Patterns Skill";
* :mod:`examples.guides.guide_004` -- "Background Jobs Best Practices".

:mod:`examples.guides.world` is the app they run against (users, orders, a payment gateway,
mailers), reset per simulator. ``tests/guides/`` turns each snippet's claim into a test; the
docs page ``docs/how-to/from-a-sidekiq-guide.md`` is the side-by-side table.
"""
