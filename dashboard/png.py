"""A button that saves a chart drawn on the page as PNG: the browser rasterises the chart's SVG
(on a canvas, at twice its size on screen), so the PNG is exactly what is shown."""

from __future__ import annotations

import ipyvuetify as v
import solara
import traitlets


class _PngButton(v.VuetifyTemplate):
    template = traitlets.Unicode("""
<template><v-btn small outlined @click="save">{{ label }}</v-btn></template>
<script>
module.exports = {
  methods: {
    save() {
      const svg = document.querySelector(this.selector + ' svg');
      if (!svg) return;
      const box = svg.getBoundingClientRect(), scale = 2;
      const copy = svg.cloneNode(true);
      copy.setAttribute('width', box.width);
      copy.setAttribute('height', box.height);
      copy.setAttribute('color', '#222');  // currentColor text on the white background
      const text = new XMLSerializer().serializeToString(copy);
      const image = new Image();
      image.onload = () => {
        const canvas = document.createElement('canvas');
        canvas.width = box.width * scale;
        canvas.height = box.height * scale;
        const context = canvas.getContext('2d');
        context.fillStyle = '#fff';
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(blob => {
          const link = document.createElement('a');
          link.href = URL.createObjectURL(blob);
          link.download = this.filename;
          document.body.appendChild(link);
          link.click();
          link.remove();
        }, 'image/png');
      };
      image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
    }
  }
}
</script>
""").tag(sync=True)
    selector = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("chart.png").tag(sync=True)
    label = traitlets.Unicode("PNG").tag(sync=True)


@solara.component
def PngButton(selector: str, filename: str):  # noqa: N802 (a Solara component)
    """Save the chart inside the element `selector` (a CSS selector) as `filename`."""
    return _PngButton.element(selector=selector, filename=filename, label=f"PNG: {filename}")
