/* The owner's signature on a <canvas>, without any library.
 *
 * Markup: a form with [data-signature-form] holding a [data-signature-pad] wrapper with a
 * <canvas> and a hidden <input>, plus [data-signature-clear] / [data-signature-undo]
 * buttons. Pointer events cover mouse, touch and stylus (with pressure). Strokes are kept
 * in coordinates relative to the box, so the drawing survives a resize or rotation and is
 * redrawn sharp at the screen's pixel density. When the form is sent, the drawing is
 * written into the hidden input as a PNG data URL (transparent background, 900 px wide).
 */
(function () {
  "use strict";

  var EXPORT_WIDTH = 900; // the PNG's width; its height keeps the box's proportions
  var INK = "#111827";
  var LINE = 0.0065; // line width as a share of the box's width

  function SignaturePad(root, form) {
    this.root = root;
    this.form = form;
    this.canvas = root.querySelector("canvas");
    this.input = root.querySelector("input[type=hidden]");
    this.ctx = this.canvas.getContext("2d");
    this.strokes = []; // [[{x, y, p}], ...] with x, y in 0..1
    this.current = null;
    this.base = null; // an image sent back after a form error
    this.pending = false;
    this.width = 0;
    this.height = 0;
    this.bind();
    this.resize();
    if (this.input.value && this.input.value.indexOf("data:image/png") === 0) {
      var image = new Image();
      var self = this;
      image.onload = function () {
        self.base = image;
        self.update();
      };
      image.src = this.input.value;
    }
  }

  SignaturePad.prototype.bind = function () {
    var self = this;
    var canvas = this.canvas;
    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== undefined && event.button > 0) return; // only the main button
      event.preventDefault();
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      self.current = [self.point(event)];
      self.strokes.push(self.current);
      self.update();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!self.current) return;
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      if (!events.length) events = [event];
      for (var i = 0; i < events.length; i++) self.current.push(self.point(events[i]));
      self.update();
    });
    function end(event) {
      if (!self.current) return;
      if (canvas.releasePointerCapture && canvas.hasPointerCapture && canvas.hasPointerCapture(event.pointerId)) {
        canvas.releasePointerCapture(event.pointerId);
      }
      self.current = null;
      self.save();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    // No page scrolling or zooming while signing (CSS touch-action does most of it).
    canvas.addEventListener("touchstart", function (event) { event.preventDefault(); }, { passive: false });

    var clear = this.form.querySelector("[data-signature-clear]");
    if (clear) clear.addEventListener("click", function () { self.clear(); });
    var undo = this.form.querySelector("[data-signature-undo]");
    if (undo) {
      undo.addEventListener("click", function () {
        if (self.strokes.length) self.strokes.pop();
        else self.base = null;
        self.update();
        self.save();
      });
    }
    this.form.addEventListener("submit", function () { self.save(); });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { self.resize(); }).observe(canvas);
    } else {
      window.addEventListener("resize", function () { self.resize(); });
    }
  };

  SignaturePad.prototype.point = function (event) {
    var rect = this.canvas.getBoundingClientRect();
    var pressure = event.pointerType === "pen" && event.pressure > 0 ? event.pressure : 0.5;
    return {
      x: (event.clientX - rect.left) / (rect.width || 1),
      y: (event.clientY - rect.top) / (rect.height || 1),
      p: pressure,
    };
  };

  SignaturePad.prototype.resize = function () {
    var rect = this.canvas.getBoundingClientRect();
    if (!rect.width || !rect.height) return; // hidden: drawn again once shown
    var ratio = window.devicePixelRatio || 1;
    this.width = rect.width;
    this.height = rect.height;
    this.canvas.width = Math.round(rect.width * ratio);
    this.canvas.height = Math.round(rect.height * ratio);
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.draw(this.ctx, this.width, this.height);
  };

  SignaturePad.prototype.update = function () {
    var self = this;
    this.root.classList.toggle("has-ink", this.hasInk());
    if (this.pending) return;
    this.pending = true;
    window.requestAnimationFrame(function () {
      self.pending = false;
      self.draw(self.ctx, self.width, self.height);
    });
  };

  SignaturePad.prototype.hasInk = function () {
    return Boolean(this.base) || this.strokes.length > 0;
  };

  /* Each stroke is a chain of quadratic curves through the midpoints between samples:
   * smooth without a spline library, and each piece takes the pressure of its sample. */
  SignaturePad.prototype.draw = function (ctx, width, height) {
    ctx.clearRect(0, 0, width, height);
    if (this.base) ctx.drawImage(this.base, 0, 0, width, height);
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    var base = Math.max(width * LINE, 1.6);
    for (var s = 0; s < this.strokes.length; s++) {
      var pts = this.strokes[s];
      if (pts.length === 1) {
        ctx.beginPath();
        ctx.arc(pts[0].x * width, pts[0].y * height, base * (0.5 + pts[0].p) / 2, 0, Math.PI * 2);
        ctx.fill();
        continue;
      }
      var prevX = pts[0].x * width;
      var prevY = pts[0].y * height;
      for (var i = 1; i < pts.length; i++) {
        var cx = pts[i - 1].x * width;
        var cy = pts[i - 1].y * height;
        var x = pts[i].x * width;
        var y = pts[i].y * height;
        var midX = i === pts.length - 1 ? x : (cx + x) / 2;
        var midY = i === pts.length - 1 ? y : (cy + y) / 2;
        ctx.beginPath();
        ctx.lineWidth = base * (0.5 + (pts[i - 1].p + pts[i].p) / 2);
        ctx.moveTo(prevX, prevY);
        if (i === 1) ctx.lineTo(midX, midY);
        else ctx.quadraticCurveTo(cx, cy, midX, midY);
        ctx.stroke();
        prevX = midX;
        prevY = midY;
      }
    }
  };

  SignaturePad.prototype.save = function () {
    if (!this.hasInk()) {
      this.input.value = "";
      return;
    }
    var out = document.createElement("canvas");
    var ratio = this.width ? this.height / this.width : 0.4;
    out.width = EXPORT_WIDTH;
    out.height = Math.round(EXPORT_WIDTH * Math.min(Math.max(ratio, 0.25), 1));
    this.draw(out.getContext("2d"), out.width, out.height);
    this.input.value = out.toDataURL("image/png");
  };

  SignaturePad.prototype.clear = function () {
    this.strokes = [];
    this.base = null;
    this.input.value = "";
    this.update();
  };

  function init() {
    var forms = document.querySelectorAll("form[data-signature-form]");
    for (var i = 0; i < forms.length; i++) {
      var root = forms[i].querySelector("[data-signature-pad]");
      if (root && !root.signaturePad) root.signaturePad = new SignaturePad(root, forms[i]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
