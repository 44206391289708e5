// The floor variant's provider (see ../run.js): it keeps a date and does nothing else.
"use strict";
exports.check = async (_olds, news) => ({ inputs: news });
exports.diff = async (_id, olds, news) => ({ changes: olds.date !== news.date });
exports.create = async (inputs) => ({ id: "record", outs: { date: inputs.date } });
exports.update = async (_id, _olds, news) => ({ outs: { date: news.date } });
