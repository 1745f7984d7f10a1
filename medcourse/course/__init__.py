"""The classroom tooling: everything an instructor runs from the command line, none of it a lesson.

* :mod:`~medcourse.course.cli` — ``python -m medcourse COMMAND``: the dispatch;
* :mod:`~medcourse.course.doctor` — check a machine against the tested environment;
* :mod:`~medcourse.course.run` — execute notebooks headless, with wall time and kernel peak memory;
* :mod:`~medcourse.course.fetch` — download and check datasets ahead of an offline class;
* :mod:`~medcourse.course.release` — student and instructor copies of the notebooks;
* :mod:`~medcourse.course.site` — the executed notebooks as a static website, readable offline
  (:mod:`~medcourse.course.site_outputs` cleans cell outputs, :mod:`~medcourse.course.site_assets` the
  sidebar, search and bundled MathJax);
* :mod:`~medcourse.course.retarget` — point every address (badges, install lines, README) at a fork;
* :mod:`~medcourse.course.notebook` — reading a notebook and its parameters cell;
* :mod:`~medcourse.course.output` — writing a folder of outputs without losing a file the tool did not write;
* :mod:`~medcourse.course.paths` — where the repository checkout is.

Importing this package imports neither TensorFlow nor PyTorch.
"""
